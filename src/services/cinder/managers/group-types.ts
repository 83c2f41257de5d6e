/**
 * Group types (cinder/volume/group_types.py): named, public or private, with key/value group
 * specs; unique live name, not deleted while groups use them. `default` is the configured
 * default_group_type, when there is one.
 */
import { randomUUID } from 'node:crypto';
import type { GroupTypeRecord } from '../db/groups.js';
import type { CinderRepos } from '../db/repos.js';
import { GroupTypeExists, GroupTypeInUse, GroupTypeNotFound, GroupTypeNotFoundByName, GroupTypeSpecsNotFound } from '../resource-errors.js';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export class GroupTypes {
  constructor(private readonly repos: CinderRepos, private readonly defaultName: string | null) {}

  async get(id: string): Promise<GroupTypeRecord> {
    const t = await this.repos.groupTypes.find(id);
    if (!t) throw new GroupTypeNotFound(id);
    return t;
  }

  async getDefault(): Promise<GroupTypeRecord> {
    const t = this.defaultName ? await this.repos.groupTypes.findByName(this.defaultName) : undefined;
    if (!t) throw new GroupTypeNotFoundByName(this.defaultName ?? 'default');
    return t;
  }

  /** By id or name (a group's create). @throws GroupTypeNotFound */
  async byNameOrId(value: string): Promise<GroupTypeRecord> {
    const t = (UUID.test(value) ? await this.repos.groupTypes.find(value) : undefined) ?? await this.repos.groupTypes.findByName(value);
    if (!t) throw new GroupTypeNotFound(value);
    return t;
  }

  async list(isAdmin: boolean, isPublic: boolean | null): Promise<GroupTypeRecord[]> {
    const all = await this.repos.groupTypes.list();
    if (!isAdmin) return all.filter((t) => t.is_public);
    return isPublic === null ? all : all.filter((t) => t.is_public === isPublic);
  }

  async create(input: { name: string; description: string | null; is_public: boolean; group_specs: Record<string, string> }): Promise<GroupTypeRecord> {
    const id = randomUUID();
    if (!(await this.repos.groupTypes.create({ id, ...input }))) throw new GroupTypeExists(input.name);
    return this.get(id);
  }

  async update(id: string, fields: { name?: string; description?: string | null; is_public?: boolean }): Promise<GroupTypeRecord> {
    const t = await this.get(id);
    if (fields.name !== undefined && fields.name !== t.name && (await this.repos.groupTypes.findByName(fields.name))) throw new GroupTypeExists(fields.name);
    await this.repos.groupTypes.update(id, fields);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    if (await this.repos.groupTypes.inUse(id)) throw new GroupTypeInUse(id);
    await this.repos.groupTypes.softDelete(id);
  }

  async setSpecs(id: string, specs: Record<string, string>): Promise<Record<string, string>> {
    await this.get(id);
    await this.repos.groupTypes.specs.set(id, specs, false);
    return specs;
  }

  async spec(id: string, key: string): Promise<string> {
    const v = (await this.get(id)).group_specs[key];
    if (v === undefined) throw new GroupTypeSpecsNotFound(id, key);
    return v;
  }

  async deleteSpec(id: string, key: string): Promise<void> {
    await this.get(id);
    if (!(await this.repos.groupTypes.specs.remove(id, key))) throw new GroupTypeSpecsNotFound(id, key);
  }
}
