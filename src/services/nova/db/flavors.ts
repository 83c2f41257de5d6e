/**
 * Flavors with their extra specs and project access (nova's Flavor object over the API
 * database): look-ups by the public flavor id or the internal id, the projects a private flavor
 * is shared with, and DevStack's default flavors (m1.tiny ... m1.xlarge) on a fresh database.
 */
import type { Kysely, Selectable } from 'kysely';
import { insertIgnore, nowIso, toBool } from '../../../common/db/index.js';
import { FlavorNotFound } from '../errors.js';
import { Flavor } from '../objects/index.js';
import type { FlavorsTable, NovaDB } from './schema.js';

/** DevStack's flavors (nova's old default set): flavorid, name, MiB, GiB, VCPUs. */
export const DEFAULT_FLAVORS: ReadonlyArray<{ flavorid: string; name: string; memory_mb: number; root_gb: number; vcpus: number }> = [
  { flavorid: '1', name: 'm1.tiny', memory_mb: 512, root_gb: 1, vcpus: 1 },
  { flavorid: '2', name: 'm1.small', memory_mb: 2048, root_gb: 20, vcpus: 1 },
  { flavorid: '3', name: 'm1.medium', memory_mb: 4096, root_gb: 40, vcpus: 2 },
  { flavorid: '4', name: 'm1.large', memory_mb: 8192, root_gb: 80, vcpus: 4 },
  { flavorid: '5', name: 'm1.xlarge', memory_mb: 16384, root_gb: 160, vcpus: 8 },
];

export class FlavorRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  private async build(rows: Selectable<FlavorsTable>[]): Promise<Flavor[]> {
    if (rows.length === 0) return [];
    const specs = await this.db.selectFrom('flavor_extra_specs').select(['flavor_id', 'key', 'value']).where('flavor_id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => new Flavor({
      id: r.id, flavorid: r.flavorid, name: r.name, memory_mb: r.memory_mb, vcpus: r.vcpus, root_gb: r.root_gb, ephemeral_gb: r.ephemeral_gb,
      swap: r.swap, rxtx_factor: Number(r.rxtx_factor), vcpu_weight: r.vcpu_weight, disabled: toBool(r.disabled), is_public: toBool(r.is_public),
      extra_specs: Object.fromEntries(specs.filter((s) => s.flavor_id === r.id).map((s) => [s.key, s.value])),
      description: r.description, created_at: r.created_at, updated_at: r.updated_at,
    }));
  }

  /** By the public id. @throws FlavorNotFound */
  async getByFlavorId(flavorid: string): Promise<Flavor> {
    const row = await this.db.selectFrom('flavors').selectAll().where('flavorid', '=', flavorid).executeTakeFirst();
    if (!row) throw new FlavorNotFound(flavorid);
    return (await this.build([row]))[0]!;
  }

  /** Whether a project may use a private flavor. */
  async projectHasAccess(flavorId: number, projectId: string): Promise<boolean> {
    return Boolean(await this.db.selectFrom('flavor_projects').select('id').where('flavor_id', '=', flavorId).where('project_id', '=', projectId).executeTakeFirst());
  }

  /** Create DevStack's default flavors that are missing (first start). */
  async ensureDefaults(): Promise<void> {
    const now = nowIso();
    for (const f of DEFAULT_FLAVORS) {
      const taken = await this.db.selectFrom('flavors').select('id').where((eb) => eb.or([eb('flavorid', '=', f.flavorid), eb('name', '=', f.name)])).executeTakeFirst();
      if (taken) continue;
      await insertIgnore(this.db, 'flavors', {
        ...f, ephemeral_gb: 0, swap: 0, vcpu_weight: null, rxtx_factor: 1, disabled: 0, is_public: 1, description: null, created_at: now, updated_at: null,
      });
    }
  }
}
