/**
 * Flavors with their extra specs and project access (nova's Flavor object over the API
 * database): look-ups by the public flavor id or the internal id, the projects a private flavor
 * is shared with, and DevStack's default flavors (m1.tiny ... m1.xlarge, cirros256, ds512M ...
 * ds4G) on a fresh database.
 */
import type { Kysely, Selectable } from 'kysely';
import { insertIgnore, insertReturningId, isUniqueViolation, nowIso, toBool, transaction, upsert } from '../../../common/db/index.js';
import {
  FlavorAccessExists, FlavorAccessNotFound, FlavorExists, FlavorExtraSpecsNotFound, FlavorIdExists, FlavorNotFound, MarkerNotFound,
} from '../errors.js';
import { Flavor, type FlavorFields } from '../objects/index.js';
import type { FlavorsTable, NovaDB } from './schema.js';

/**
 * DevStack's flavors (lib/nova create_flavors: nova's old default set m1.*, then cirros256 and
 * the ds* ones): flavorid, name, MiB, GiB, VCPUs. DevStack's hw_rng:allowed=True property (a
 * libvirt knob) is left out.
 */
export const DEFAULT_FLAVORS: ReadonlyArray<{ flavorid: string; name: string; memory_mb: number; root_gb: number; vcpus: number }> = [
  { flavorid: '1', name: 'm1.tiny', memory_mb: 512, root_gb: 1, vcpus: 1 },
  { flavorid: '2', name: 'm1.small', memory_mb: 2048, root_gb: 20, vcpus: 1 },
  { flavorid: '3', name: 'm1.medium', memory_mb: 4096, root_gb: 40, vcpus: 2 },
  { flavorid: '4', name: 'm1.large', memory_mb: 8192, root_gb: 80, vcpus: 4 },
  { flavorid: '5', name: 'm1.xlarge', memory_mb: 16384, root_gb: 160, vcpus: 8 },
  { flavorid: 'c1', name: 'cirros256', memory_mb: 256, root_gb: 1, vcpus: 1 },
  { flavorid: 'd1', name: 'ds512M', memory_mb: 512, root_gb: 5, vcpus: 1 },
  { flavorid: 'd2', name: 'ds1G', memory_mb: 1024, root_gb: 10, vcpus: 1 },
  { flavorid: 'd3', name: 'ds2G', memory_mb: 2048, root_gb: 10, vcpus: 2 },
  { flavorid: 'd4', name: 'ds4G', memory_mb: 4096, root_gb: 20, vcpus: 4 },
];

/** Columns a flavor list may be sorted by (schemas/flavors.py VALID_SORT_KEYS). */
export const FLAVOR_SORT_KEYS = [
  'created_at', 'description', 'disabled', 'ephemeral_gb', 'flavorid', 'id', 'is_public', 'memory_mb', 'name', 'root_gb', 'rxtx_factor', 'swap',
  'updated_at', 'vcpu_weight', 'vcpus',
] as const;
export type FlavorSortKey = (typeof FLAVOR_SORT_KEYS)[number];

/** FlavorList.get_all's filters and paging. */
export interface FlavorListQuery {
  /** true: public ones and the private ones `projectId` may use; false: private only; null: all. */
  isPublic: boolean | null;
  projectId?: string | null;
  /** false: enabled flavors only. */
  disabled?: boolean;
  minMemoryMb?: number;
  minRootGb?: number;
  sortKey: FlavorSortKey;
  sortDir: 'asc' | 'desc';
  limit: number;
  /** A flavorid: the list starts after it. */
  marker?: string;
}

/** What a new flavor is made of (nova.compute.flavors.create, validated). */
export type NewFlavor = Pick<FlavorFields, 'flavorid' | 'name' | 'memory_mb' | 'vcpus' | 'root_gb' | 'ephemeral_gb' | 'swap' | 'rxtx_factor' | 'is_public' | 'description'>;

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

  /**
   * FlavorList.get_all: filtered, sorted by (sort key, id), after the marker. The marker is any
   * flavor (it need not pass the filters), as upstream's pagination on its values.
   * @throws MarkerNotFound
   */
  async list(q: FlavorListQuery): Promise<Flavor[]> {
    let query = this.db.selectFrom('flavors').selectAll();
    if (q.isPublic !== null) {
      const isPublic = q.isPublic ? 1 : 0;
      const projectId = q.projectId;
      query = query.where((eb) => {
        const ors = [eb('is_public', '=', isPublic)];
        if (q.isPublic && projectId) {
          ors.push(eb('id', 'in', eb.selectFrom('flavor_projects').select('flavor_id').where('project_id', '=', projectId)));
        }
        if (q.marker !== undefined) ors.push(eb('flavorid', '=', q.marker));
        return eb.or(ors);
      });
    }
    const rows = await query.orderBy(q.sortKey, q.sortDir).orderBy('id', 'asc').execute();
    let start = 0;
    if (q.marker !== undefined) {
      const at = rows.findIndex((r) => r.flavorid === q.marker);
      if (at < 0) throw new MarkerNotFound(q.marker);
      start = at + 1;
    }
    // The marker row joined the SQL filter only to be found; what follows it passed the filter.
    const wanted = rows.slice(start).filter((r) => (q.disabled === undefined || toBool(r.disabled) === q.disabled)
      && (q.minMemoryMb === undefined || r.memory_mb >= q.minMemoryMb)
      && (q.minRootGb === undefined || r.root_gb >= q.minRootGb));
    return this.build(wanted.slice(0, q.limit));
  }

  /** Flavor.create. @throws FlavorExists, FlavorIdExists */
  async create(f: NewFlavor): Promise<Flavor> {
    const taken = await this.db.selectFrom('flavors').select(['flavorid', 'name']).where((eb) => eb.or([eb('flavorid', '=', f.flavorid), eb('name', '=', f.name)])).execute();
    if (taken.some((t) => t.flavorid === f.flavorid)) throw new FlavorIdExists(f.flavorid);
    if (taken.length > 0) throw new FlavorExists(f.name);
    try {
      await insertReturningId(this.db, 'flavors', {
        ...f, is_public: f.is_public ? 1 : 0, vcpu_weight: null, disabled: 0, created_at: nowIso(), updated_at: null,
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const byId = await this.db.selectFrom('flavors').select('id').where('flavorid', '=', f.flavorid).executeTakeFirst();
      throw byId ? new FlavorIdExists(f.flavorid) : new FlavorExists(f.name);
    }
    return this.getByFlavorId(f.flavorid);
  }

  /** Flavor.destroy with its extra specs and access list. @throws FlavorNotFound */
  async destroy(flavorid: string): Promise<void> {
    await transaction(this.db, async (trx) => {
      const row = await trx.selectFrom('flavors').select('id').where('flavorid', '=', flavorid).executeTakeFirst();
      if (!row) throw new FlavorNotFound(flavorid);
      await trx.deleteFrom('flavor_extra_specs').where('flavor_id', '=', row.id).execute();
      await trx.deleteFrom('flavor_projects').where('flavor_id', '=', row.id).execute();
      await trx.deleteFrom('flavors').where('id', '=', row.id).execute();
    });
  }

  /** Flavor.save of the description (2.55). @throws FlavorNotFound */
  async updateDescription(flavorid: string, description: string | null): Promise<Flavor> {
    const res = await this.db.updateTable('flavors').set({ description, updated_at: nowIso() }).where('flavorid', '=', flavorid).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new FlavorNotFound(flavorid);
    return this.getByFlavorId(flavorid);
  }

  /** Add or overwrite extra specs of a flavor (Flavor.save of extra_specs). */
  async setExtraSpecs(flavor: Flavor, specs: Record<string, string>): Promise<void> {
    const now = nowIso();
    await transaction(this.db, async (trx) => {
      for (const [key, value] of Object.entries(specs)) {
        await upsert(trx, 'flavor_extra_specs', {
          values: { flavor_id: flavor.data.id, key, value, created_at: now, updated_at: null }, conflict: ['flavor_id', 'key'], update: { value, updated_at: now },
        });
      }
    });
  }

  /** @throws FlavorExtraSpecsNotFound */
  async deleteExtraSpec(flavor: Flavor, key: string): Promise<void> {
    const res = await this.db.deleteFrom('flavor_extra_specs').where('flavor_id', '=', flavor.data.id).where('key', '=', key).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new FlavorExtraSpecsNotFound(flavor.data.flavorid, key);
  }

  /** The projects a flavor is shared with (Flavor.projects). */
  async projects(flavor: Flavor): Promise<string[]> {
    const rows = await this.db.selectFrom('flavor_projects').select('project_id').where('flavor_id', '=', flavor.data.id).orderBy('id').execute();
    return rows.map((r) => r.project_id);
  }

  /** Flavor.add_access. @throws FlavorAccessExists */
  async addAccess(flavor: Flavor, projectId: string): Promise<void> {
    const added = await insertIgnore(this.db, 'flavor_projects', { flavor_id: flavor.data.id, project_id: projectId, created_at: nowIso(), updated_at: null });
    if (!added) throw new FlavorAccessExists(flavor.data.flavorid, projectId);
  }

  /** Flavor.remove_access. @throws FlavorAccessNotFound */
  async removeAccess(flavor: Flavor, projectId: string): Promise<void> {
    const res = await this.db.deleteFrom('flavor_projects').where('flavor_id', '=', flavor.data.id).where('project_id', '=', projectId).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new FlavorAccessNotFound(flavor.data.flavorid, projectId);
  }
}
