/**
 * Projects' default volume types (cinder/api/v3/default_types.py, 3.62): set or replace a
 * project's default by type name or id, show one, list all, unset. The project is looked up in
 * Identity first (api_utils.validate_project_and_authorize: 404 when Keystone says it does not
 * exist; an unset goes on even then, as upstream's). Volume creates without a type, and
 * `GET /types/default`, then use the project's default (VolumeTypes.getDefault).
 */
import type { DefaultTypeRecord } from '../db/default-types.js';
import type { CinderRepos } from '../db/repos.js';
import { Invalid, NotFound, VolumeTypeNotFound, VolumeTypeProjectDefaultNotFound } from '../errors.js';
import type { VolumeTypes } from './volume-types.js';

export interface DefaultTypesOptions {
  repos: CinderRepos;
  types: VolumeTypes;
  /** Whether Identity knows the project (a failure to ask counts as yes, as Nova's check does). */
  projectExists(projectId: string): Promise<boolean>;
}

export class DefaultTypes {
  constructor(private readonly o: DefaultTypesOptions) {}

  /** @throws NotFound when Identity has no such project */
  async checkProject(projectId: string): Promise<void> {
    if (!(await this.o.projectExists(projectId))) throw new NotFound(`Project with id ${projectId} not found.`);
  }

  /** @throws Invalid (400) when no such type exists */
  async set(projectId: string, typeRef: string): Promise<DefaultTypeRecord> {
    let typeId: string;
    try {
      typeId = (await this.o.types.byNameOrId(typeRef, undefined, true)).id;
    } catch (err) {
      if (err instanceof VolumeTypeNotFound) throw new Invalid(err.message);
      throw err;
    }
    return this.o.repos.defaultTypes.set(projectId, typeId);
  }

  /** @throws VolumeTypeProjectDefaultNotFound */
  async get(projectId: string): Promise<DefaultTypeRecord> {
    const d = await this.o.repos.defaultTypes.get(projectId);
    if (!d) throw new VolumeTypeProjectDefaultNotFound(projectId);
    return d;
  }

  list(): Promise<DefaultTypeRecord[]> {
    return this.o.repos.defaultTypes.list();
  }

  unset(projectId: string): Promise<void> {
    return this.o.repos.defaultTypes.unset(projectId);
  }
}
