/**
 * Volume types (cinder/volume/volume_types.py): the default type (`__DEFAULT__`, made on first
 * start as Cinder's migration makes it, or [DEFAULT] default_volume_type), types a project may
 * use (public ones and private ones shared with it), create/update/delete with their rules
 * (unique live name, no deleting a type in use or the default one), extra specs, access.
 */
import { randomUUID } from 'node:crypto';
import type { CinderRepos } from '../db/repos.js';
import type { VolumeTypeRecord } from '../db/records.js';
import {
  InvalidVolumeType, NotFound, VolumeTypeAccessExists, VolumeTypeAccessNotFound, VolumeTypeDefault, VolumeTypeExists, VolumeTypeExtraSpecsNotFound,
  VolumeTypeInUse, VolumeTypeNotFound, VolumeTypeNotFoundByName,
} from '../errors.js';

export const DEFAULT_TYPE_NAME = '__DEFAULT__';
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export class VolumeTypes {
  constructor(private readonly repos: CinderRepos, private readonly defaultName: string) {}

  /** The __DEFAULT__ type exists (cinder's db migration 'Add default volume type'). */
  async ensureDefault(): Promise<void> {
    if (await this.repos.types.findByName(DEFAULT_TYPE_NAME)) return;
    await this.repos.types.create({ id: randomUUID(), name: DEFAULT_TYPE_NAME, description: 'Default Volume Type', is_public: true, extra_specs: {} });
  }

  /**
   * The default type (get_default_volume_type): the project's own (3.62) when it has one, else
   * [DEFAULT] default_volume_type. @throws VolumeTypeNotFoundByName
   */
  async getDefault(projectId?: string): Promise<VolumeTypeRecord> {
    const own = projectId ? await this.repos.defaultTypes.get(projectId) : undefined;
    const ownType = own && await this.repos.types.find(own.volume_type_id);
    if (ownType) return ownType;
    const t = await this.repos.types.findByName(this.defaultName);
    if (!t) throw new VolumeTypeNotFoundByName(this.defaultName);
    return t;
  }

  /** A live type by id. @throws VolumeTypeNotFound */
  async get(id: string): Promise<VolumeTypeRecord> {
    const t = await this.repos.types.find(id);
    if (!t) throw new VolumeTypeNotFound(id);
    return t;
  }

  /** Whether the project may use the type (public, or shared with it, or an admin). */
  async visible(t: VolumeTypeRecord, projectId: string | undefined, isAdmin: boolean): Promise<boolean> {
    if (t.is_public || isAdmin) return true;
    return projectId !== undefined && (await this.repos.types.projects(t.id)).includes(projectId);
  }

  /** A type by id or name, as volume create takes it (get_by_name_or_id). @throws VolumeTypeNotFound */
  async byNameOrId(value: string, projectId: string | undefined, isAdmin: boolean): Promise<VolumeTypeRecord> {
    const t = (UUID.test(value) ? await this.repos.types.find(value) : undefined) ?? await this.repos.types.findByName(value);
    if (!t || !(await this.visible(t, projectId, isAdmin))) throw new VolumeTypeNotFound(value);
    return t;
  }

  async list(projectId: string | undefined, isAdmin: boolean, isPublic: boolean | null): Promise<VolumeTypeRecord[]> {
    const all = await this.repos.types.list();
    const shared = projectId ? await this.repos.types.typesOfProject(projectId) : new Set<string>();
    return all.filter((t) => {
      if (!isAdmin) return t.is_public || shared.has(t.id);
      if (isPublic === null) return true;
      return t.is_public === isPublic || (!isPublic ? false : shared.has(t.id));
    });
  }

  async create(input: { name: string; description: string | null; is_public: boolean; extra_specs: Record<string, string> }): Promise<VolumeTypeRecord> {
    const id = randomUUID();
    if (!(await this.repos.types.create({ id, ...input }))) throw new VolumeTypeExists(input.name);
    return (await this.repos.types.find(id))!;
  }

  async update(id: string, fields: { name?: string; description?: string | null; is_public?: boolean }): Promise<VolumeTypeRecord> {
    const t = await this.get(id);
    if (fields.name !== undefined && fields.name !== t.name) {
      if (t.name === DEFAULT_TYPE_NAME) throw new VolumeTypeDefault('The type __DEFAULT__ cannot be renamed.');
      if (await this.repos.types.findByName(fields.name)) throw new VolumeTypeExists(fields.name);
    }
    await this.repos.types.update(id, fields);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const t = await this.get(id);
    if (t.name === this.defaultName || t.name === DEFAULT_TYPE_NAME) throw new VolumeTypeDefault('Default volume type can not be deleted.');
    if ((await this.repos.defaultTypes.projectsOf(id)).length > 0) throw new VolumeTypeDefault(`The volume type ${id} is a default volume type and cannot be deleted.`);
    if (await this.repos.types.inUse(id)) throw new VolumeTypeInUse(id);
    await this.repos.types.softDelete(id);
  }

  async setExtraSpecs(id: string, specs: Record<string, string>): Promise<Record<string, string>> {
    // cinder lets the specs of a type in use change: the scheduler sees the new ones for new volumes
    const t = await this.get(id);
    const all = await this.repos.types.extraSpecs.set(t.id, specs, false);
    return Object.fromEntries(Object.keys(specs).map((k) => [k, all[k]!]));
  }

  async extraSpec(id: string, key: string): Promise<string> {
    const t = await this.get(id);
    const v = t.extra_specs[key];
    if (v === undefined) throw new VolumeTypeExtraSpecsNotFound(id, key);
    return v;
  }

  async deleteExtraSpec(id: string, key: string): Promise<void> {
    await this.get(id);
    if (!(await this.repos.types.extraSpecs.remove(id, key))) throw new VolumeTypeExtraSpecsNotFound(id, key);
  }

  async accessList(id: string): Promise<Array<{ volume_type_id: string; project_id: string }>> {
    const t = await this.get(id);
    if (t.is_public) throw new NotFound('Access list not available for public volume types.');
    return (await this.repos.types.projects(id)).map((project_id) => ({ volume_type_id: id, project_id }));
  }

  async addAccess(id: string, project: string): Promise<void> {
    const t = await this.get(id);
    if (t.is_public) throw new InvalidVolumeType('Type access modification is not applicable to public volume type.');
    if (!(await this.repos.types.addProject(id, project))) throw new VolumeTypeAccessExists(id, project);
  }

  async removeAccess(id: string, project: string): Promise<void> {
    const t = await this.get(id);
    if (t.is_public) throw new InvalidVolumeType('Type access modification is not applicable to public volume type.');
    if (!(await this.repos.types.removeProject(id, project))) throw new VolumeTypeAccessNotFound(id, project);
  }
}
