/**
 * Instances and what is stored beside them (instance_extra's flavor and key pairs, the network
 * info cache, metadata, system metadata, tags) as Instance objects: create, read, save with
 * nova's expected-state checks (a compare-and-swap on vm_state/task_state, so two writers
 * racing on one instance cannot both win), per-host reads, and soft delete as nova's destroy().
 * A save observer (observeSaves, wired by the roles for instance.update) is told of each save
 * with the states the row had before it; without one a save reads nothing more.
 */
import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import { compareAndSwapReturning, dialectOf, insertReturningRow, nowIso, prepared, toBool, transaction } from '../../../common/db/index.js';
import { InstanceNotFound, UnexpectedDeletingTaskStateError, UnexpectedTaskStateError } from '../errors.js';
import { Flavor, Instance, type FlavorFields, type InstanceFields, type VifInfo } from '../objects/index.js';
import type { InstancesTable, NovaDB } from './schema.js';

type Db = Kysely<NovaDB> | Transaction<NovaDB>;

/** Columns of the instances row that InstanceFields carries under the same name. */
export type InstanceColumns = Omit<InstanceFields, 'id' | 'flavor' | 'metadata' | 'system_metadata' | 'tags' | 'network_info' | 'security_groups' | 'deleted'>;

/** What save() may change. */
export type InstanceChanges = Partial<Omit<InstanceColumns, 'uuid' | 'created_at'>>;

/** The states save() expects the row to still be in (nova's expected_task_state / expected_vm_state). */
export interface ExpectedState {
  task_state?: ReadonlyArray<string | null>;
  vm_state?: readonly string[];
}

/** What a save observer is told of the row before the save (nova's old_ref in send_update). */
export interface InstanceStatesBefore {
  vm_state: string;
  task_state: string | null;
  display_name: string | null;
}

/**
 * Told of every save once it is written, with the row's states before and the instance after
 * it; `service` is the Nova service a save names as its notifier (nova's send_update service,
 * default compute). Awaited by the save; it must not throw.
 */
export type InstanceSaveObserver = (before: InstanceStatesBefore, after: Instance, service?: string) => Promise<void>;

export interface NewInstance extends InstanceColumns {
  flavor: Flavor;
  metadata: Record<string, string>;
  system_metadata: Record<string, string>;
  tags: string[];
  security_groups: string[];
}

/** Tries of an observed save whose row other saves keep changing between its read and its swap. */
const OBSERVED_SWAP_ATTEMPTS = 10;

/** Why a save's swap did not happen, from the row as it is now (undefined: no such row). */
function swapError(uuid: string, expected: ExpectedState, current: { task_state: string | null; deleted: number } | undefined): Error {
  if (!current || current.deleted !== 0) return new InstanceNotFound(uuid);
  if (current.task_state === 'deleting') return new UnexpectedDeletingTaskStateError(uuid, expected.task_state, current.task_state);
  return new UnexpectedTaskStateError(uuid, expected.task_state ?? expected.vm_state, current.task_state);
}

/** Instances hydrated per query: five lists of their uuids stay well within every server's bound-parameter limit. */
const HYDRATE_SLICE = 1000;

const BOOL_COLUMNS = ['locked', 'auto_disk_config'] as const;

function toColumns(changes: InstanceChanges): Updateable<InstancesTable> {
  const out: Record<string, unknown> = { ...changes };
  for (const k of BOOL_COLUMNS) if (k in out) out[k] = out[k] ? 1 : 0;
  return out as Updateable<InstancesTable>;
}

/** What the resource tracker counts of a live instance on a host (nova's _update_usage_from_instance). */
export interface HostUsageRow {
  uuid: string;
  node: string | null;
  vm_state: string;
  task_state: string | null;
  project_id: string;
  /** The flavor the instance runs with (instance_extra's current flavor). */
  flavor: FlavorFields;
}

/** What an Instance carries besides its instances row (instance_extra, the info cache, metadata, system metadata, tags). */
type InstanceExtras = Pick<InstanceFields, 'flavor' | 'metadata' | 'system_metadata' | 'tags' | 'network_info' | 'security_groups'>;

/** An instances row and its extras as an Instance object. */
function instanceOf(row: Selectable<InstancesTable>, extras: InstanceExtras): Instance {
  return new Instance({
    id: row.id, uuid: row.uuid, user_id: row.user_id, project_id: row.project_id, image_ref: row.image_ref ?? '',
    hostname: row.hostname ?? '', display_name: row.display_name ?? '', display_description: row.display_description,
    host: row.host, node: row.node, launched_on: row.launched_on, availability_zone: row.availability_zone,
    vm_state: row.vm_state, task_state: row.task_state, power_state: row.power_state,
    memory_mb: row.memory_mb, vcpus: row.vcpus, root_gb: row.root_gb, ephemeral_gb: row.ephemeral_gb, instance_type_id: row.instance_type_id,
    flavor: extras.flavor, key_name: row.key_name, key_data: row.key_data, user_data: row.user_data,
    reservation_id: row.reservation_id ?? '', launch_index: row.launch_index ?? 0, config_drive: row.config_drive ?? '',
    access_ip_v4: row.access_ip_v4, access_ip_v6: row.access_ip_v6, locked: toBool(row.locked), locked_by: row.locked_by,
    root_device_name: row.root_device_name, auto_disk_config: toBool(row.auto_disk_config), progress: row.progress,
    launched_at: row.launched_at, terminated_at: row.terminated_at, created_at: row.created_at, updated_at: row.updated_at,
    deleted_at: row.deleted_at, deleted: row.deleted !== 0,
    metadata: extras.metadata, system_metadata: extras.system_metadata, tags: extras.tags,
    network_info: extras.network_info, security_groups: extras.security_groups,
  });
}

/** What a project's (or a user's) instances use, for quotas (prepared: each create checks it). */
const usageQuery = (db: Kysely<NovaDB>, projectId: string) => db.selectFrom('instances')
  .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('vcpus').as('cores'), eb.fn.sum<number>('memory_mb').as('ram')])
  .where('project_id', '=', projectId).where('deleted', '=', 0).where('hidden', '=', 0).where('vm_state', '!=', 'soft-delete');
const projectUsage = prepared((db: Kysely<NovaDB>, p: { projectId: string }) => usageQuery(db, p.projectId));
const userUsage = prepared((db: Kysely<NovaDB>, p: { projectId: string; userId: string }) => usageQuery(db, p.projectId).where('user_id', '=', p.userId));

export class InstanceRepo {
  private onSave: InstanceSaveObserver | undefined;

  constructor(private readonly db: Kysely<NovaDB>) {}

  /** Tell `observer` of every save from now on (nova's send_update in Instance.save). */
  observeSaves(observer: InstanceSaveObserver): void {
    this.onSave = observer;
  }

  /**
   * Record a new instance (nova's Instance.create) in one transaction. The object returned is
   * the one a read gives, made from the inserted row and what was written beside it; with tags
   * it is read back (their order is the database's collation).
   */
  async create(values: NewInstance, tx?: Transaction<NovaDB>): Promise<Instance> {
    const { flavor, metadata, system_metadata, tags, security_groups, ...columns } = values;
    const now = values.created_at;
    const flavorJson = JSON.stringify({ cur: flavor.data, old: null, new: null });
    const sys = { ...system_metadata, ...(security_groups.length > 0 ? { security_groups: JSON.stringify(security_groups) } : {}) };
    let row: Selectable<InstancesTable> | undefined;
    const run = async (t: Transaction<NovaDB>): Promise<void> => {
      row = await insertReturningRow(t, 'instances', {
        ...(toColumns(columns) as Omit<InstancesTable, 'id' | 'deleted'>),
        uuid: values.uuid, user_id: values.user_id, project_id: values.project_id, vm_state: values.vm_state, power_state: values.power_state,
        memory_mb: values.memory_mb, vcpus: values.vcpus, root_gb: values.root_gb, ephemeral_gb: values.ephemeral_gb,
        locked: values.locked ? 1 : 0, auto_disk_config: values.auto_disk_config ? 1 : 0, shutdown_terminate: 0, disable_terminate: 0,
        hidden: 0, cleaned: 0, deleted_at: null, created_at: now, updated_at: null,
      });
      await t.insertInto('instance_extra').values({
        instance_uuid: values.uuid, flavor: flavorJson, keypairs: null,
        device_metadata: null, trusted_certs: null, created_at: now, updated_at: null, deleted_at: null,
      }).execute();
      await t.insertInto('instance_info_caches').values({ instance_uuid: values.uuid, network_info: '[]', created_at: now, updated_at: null, deleted_at: null }).execute();
      for (const [table, items] of [['instance_metadata', metadata], ['instance_system_metadata', sys]] as const) {
        const rows = Object.entries(items).map(([key, value]) => ({ instance_uuid: values.uuid, key, value, created_at: now, updated_at: null, deleted_at: null }));
        if (rows.length > 0) await t.insertInto(table).values(rows).execute();
      }
      if (tags.length > 0) await t.insertInto('tags').values(tags.map((tag) => ({ resource_id: values.uuid, tag }))).execute();
    };
    if (tx) await run(tx);
    else await transaction(this.db, run);
    if (tags.length > 0) return this.get(values.uuid, { readDeleted: true, db: tx });
    // as hydrate() reads them back: metadata in insertion order, system metadata by key
    const { security_groups: sg, ...systemMetadata } = sys;
    return instanceOf(row!, {
      flavor: new Flavor((JSON.parse(flavorJson) as { cur: FlavorFields }).cur),
      metadata: { ...metadata },
      system_metadata: Object.fromEntries(Object.entries(systemMetadata as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      tags: [], network_info: [],
      security_groups: sg ? (JSON.parse(sg) as string[]) : ['default'],
    });
  }

  /** @throws InstanceNotFound (also for a deleted one unless readDeleted) */
  async get(uuid: string, opts: { readDeleted?: boolean; db?: Db } = {}): Promise<Instance> {
    const found = await this.find(uuid, opts);
    if (!found) throw new InstanceNotFound(uuid);
    return found;
  }

  async find(uuid: string, opts: { readDeleted?: boolean; db?: Db } = {}): Promise<Instance | undefined> {
    let q = (opts.db ?? this.db).selectFrom('instances').selectAll().where('uuid', '=', uuid);
    if (!opts.readDeleted) q = q.where('deleted', '=', 0);
    const row = await q.executeTakeFirst();
    if (!row) return undefined;
    return (await this.hydrate([row], opts.db))[0];
  }

  /**
   * Rows to Instance objects with their extra, info cache, metadata and tags: one query for the
   * whole page, the five tables' rows as (kind, uuid, key, value) in a UNION ALL, in the order
   * each part is read in (metadata by id, tags by name). The uuids are bound once per table, so
   * a long list goes in slices of HYDRATE_SLICE rows (the servers' limits on bound parameters).
   */
  async hydrate(rows: Selectable<InstancesTable>[], db: Db = this.db): Promise<Instance[]> {
    if (rows.length === 0) return [];
    if (rows.length > HYDRATE_SLICE) {
      const out: Instance[] = [];
      for (let i = 0; i < rows.length; i += HYDRATE_SLICE) out.push(...(await this.hydrate(rows.slice(i, i + HYDRATE_SLICE), db)));
      return out;
    }
    const uuids = rows.map((r) => r.uuid);
    const none = sql<string | null>`null`;
    const parts = await db.selectFrom('instance_extra')
      .select([sql<string>`'e'`.as('kind'), 'instance_uuid as uuid', none.as('key'), 'flavor as value', sql<number>`0`.as('ord')])
      .where('instance_uuid', 'in', uuids)
      .unionAll(db.selectFrom('instance_info_caches')
        .select([sql<string>`'c'`.as('kind'), 'instance_uuid as uuid', none.as('key'), 'network_info as value', sql<number>`0`.as('ord')])
        .where('instance_uuid', 'in', uuids))
      .unionAll(db.selectFrom('instance_metadata')
        .select([sql<string>`'m'`.as('kind'), 'instance_uuid as uuid', 'key', 'value', 'id as ord'])
        .where('instance_uuid', 'in', uuids).where('deleted', '=', 0))
      .unionAll(db.selectFrom('instance_system_metadata')
        .select([sql<string>`'s'`.as('kind'), 'instance_uuid as uuid', 'key', 'value', sql<number>`0`.as('ord')])
        .where('instance_uuid', 'in', uuids).where('deleted', '=', 0))
      .unionAll(db.selectFrom('tags')
        .select([sql<string>`'t'`.as('kind'), 'resource_id as uuid', 'tag as key', none.as('value'), sql<number>`0`.as('ord')])
        .where('resource_id', 'in', uuids))
      .orderBy('kind').orderBy('ord').orderBy('key')
      .execute();
    const metaBy = new Map<string, Record<string, string>>();
    const sysBy = new Map<string, Record<string, string>>();
    const flavorBy = new Map<string, string | null>();
    const cacheBy = new Map<string, string | null>();
    const tagsBy = new Map<string, string[]>();
    const put = (m: Map<string, Record<string, string>>, uuid: string, key: string, value: string | null): void => {
      let rec = m.get(uuid);
      if (!rec) m.set(uuid, (rec = {}));
      rec[key] = value ?? '';
    };
    for (const p of parts) {
      switch (p.kind) {
        case 'e': flavorBy.set(p.uuid, p.value); break;
        case 'c': cacheBy.set(p.uuid, p.value); break;
        case 'm': put(metaBy, p.uuid, p.key ?? '', p.value); break;
        case 's': put(sysBy, p.uuid, p.key ?? '', p.value); break;
        case 't': {
          const list = tagsBy.get(p.uuid);
          if (list) list.push(p.key ?? '');
          else tagsBy.set(p.uuid, [p.key ?? '']);
          break;
        }
      }
    }
    return rows.map((row) => {
      const { security_groups: sg, ...systemMetadata } = sysBy.get(row.uuid) ?? {};
      const flavor = JSON.parse(flavorBy.get(row.uuid) ?? 'null') as { cur: FlavorFields } | null;
      return instanceOf(row, {
        flavor: new Flavor(flavor?.cur as FlavorFields), metadata: metaBy.get(row.uuid) ?? {}, system_metadata: systemMetadata, tags: tagsBy.get(row.uuid) ?? [],
        network_info: JSON.parse(cacheBy.get(row.uuid) ?? '[]') as VifInfo[],
        // nova gives every server at least 'default'; an empty list is one whose groups were all removed
        security_groups: sg ? (JSON.parse(sg) as string[]) : ['default'],
      });
    });
  }

  /**
   * Instance.save(): write `changes` if the row is still in the expected states (and live).
   * @throws UnexpectedTaskStateError / UnexpectedDeletingTaskStateError when the task state moved on,
   *   InstanceNotFound when the instance is gone.
   */
  async save(uuid: string, changes: InstanceChanges, expected: ExpectedState = {}, db: Db = this.db): Promise<Instance> {
    const observer = this.onSave;
    if (!observer) return (await this.hydrate([await this.swap(uuid, changes, expected, db)], db))[0]!;
    const { before, row } = await this.swapObserved(uuid, changes, expected, db);
    const after = (await this.hydrate([row], db))[0]!;
    await observer(before, after);
    return after;
  }

  /**
   * Instance.save() on an object in hand, as nova's: the columns written and the row read back
   * in the same statement (where the database can), the object's flavor, metadata, system
   * metadata, tags and network info kept as it holds them (nova saves and reloads those only
   * when they were changed on the object). The boot path saves its instance this way at every
   * step. Throws as save() does. `service`: what the save observer is told (the conductor's).
   */
  async update(instance: Instance, changes: InstanceChanges, expected: ExpectedState = {}, db: Db = this.db, service?: string): Promise<Instance> {
    const { flavor, metadata, system_metadata, tags, network_info, security_groups } = instance.data;
    const observer = this.onSave;
    if (!observer) return instanceOf(await this.swap(instance.uuid, changes, expected, db), { flavor, metadata, system_metadata, tags, network_info, security_groups });
    const { before, row } = await this.swapObserved(instance.uuid, changes, expected, db);
    const after = instanceOf(row, { flavor, metadata, system_metadata, tags, network_info, security_groups });
    await observer(before, after, service);
    return after;
  }

  /**
   * A save of what lives beside the row (the server's metadata, which nova's Instance.save()
   * writes with it): the save observer is told, the states unchanged. Nothing without one.
   */
  async savedBeside(after: Instance): Promise<void> {
    const observer = this.onSave;
    if (observer) await observer({ vm_state: after.data.vm_state, task_state: after.data.task_state, display_name: after.data.display_name }, after);
  }

  /**
   * swap() that also gives the states the row had before it (nova's
   * instance_update_and_get_original) with no transaction and no lock: they are read first and
   * the swap expects them still there, so a save made in between makes it miss and it is tried
   * again on what that save left. Throws as swap() does.
   */
  private async swapObserved(uuid: string, changes: InstanceChanges, expected: ExpectedState, db: Db): Promise<{ before: InstanceStatesBefore; row: Selectable<InstancesTable> }> {
    const set = { ...toColumns(changes), updated_at: nowIso() };
    for (let attempt = 1; ; attempt++) {
      const before = await db.selectFrom('instances').select(['vm_state', 'task_state', 'display_name']).where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst();
      const fits = before && (!expected.task_state || expected.task_state.includes(before.task_state)) && (!expected.vm_state || expected.vm_state.includes(before.vm_state));
      if (!fits || attempt > OBSERVED_SWAP_ATTEMPTS) throw swapError(uuid, expected, before && { ...before, deleted: 0 });
      const expect = { deleted: 0, vm_state: before.vm_state, task_state: before.task_state, display_name: before.display_name };
      const row = await compareAndSwapReturning(db, 'instances', { where: { uuid }, expect, set });
      if (row) return { before, row };
    }
  }

  /** The compare-and-swap of save(): the row after it, or the typed error of why it did not happen. */
  private async swap(uuid: string, changes: InstanceChanges, expected: ExpectedState, db: Db): Promise<Selectable<InstancesTable>> {
    const set = { ...toColumns(changes), updated_at: nowIso() };
    const expect: Record<string, unknown> = { deleted: 0 };
    if (expected.task_state) expect['task_state'] = [...expected.task_state];
    if (expected.vm_state) expect['vm_state'] = [...expected.vm_state];
    const row = await compareAndSwapReturning(db, 'instances', { where: { uuid }, expect, set });
    if (row) return row;
    throw swapError(uuid, expected, await db.selectFrom('instances').select(['task_state', 'deleted']).where('uuid', '=', uuid).executeTakeFirst());
  }

  /** The network info cache (nova's InstanceInfoCache.save). */
  async setNetworkInfo(uuid: string, vifs: VifInfo[]): Promise<void> {
    await this.db.updateTable('instance_info_caches').set({ network_info: JSON.stringify(vifs), updated_at: nowIso() }).where('instance_uuid', '=', uuid).execute();
  }

  /** Live instances on a host (the compute manager's view of its guests). */
  async byHost(host: string): Promise<Instance[]> {
    const rows = await this.db.selectFrom('instances').selectAll().where('host', '=', host).where('deleted', '=', 0).orderBy('id').execute();
    return this.hydrate(rows);
  }

  /**
   * The usage side of the live instances on a host, in one query: the resource tracker recounts
   * a node after every claim, and whole instances (metadata, tags, network info) are not what
   * it counts.
   */
  async usageOnHost(host: string): Promise<HostUsageRow[]> {
    const rows = await this.db.selectFrom('instances as i')
      .leftJoin('instance_extra as e', 'e.instance_uuid', 'i.uuid')
      .select(['i.uuid', 'i.node', 'i.vm_state', 'i.task_state', 'i.project_id', 'e.flavor'])
      .where('i.host', '=', host).where('i.deleted', '=', 0).orderBy('i.id').execute();
    return rows.map(({ flavor, ...row }) => ({ ...row, flavor: (JSON.parse(flavor ?? 'null') as { cur: FlavorFields } | null)?.cur as FlavorFields }));
  }

  /** Live instances of these uuids (unknown ones are left out). */
  async byUuids(uuids: readonly string[]): Promise<Instance[]> {
    if (uuids.length === 0) return [];
    const rows = await this.db.selectFrom('instances').selectAll().where('uuid', 'in', [...uuids]).where('deleted', '=', 0).execute();
    return this.hydrate(rows);
  }

  /**
   * Instance.destroy(): the row and what hangs off it are soft-deleted (deleted = id), the
   * instance is DELETED with no task, and its tags go. `asSave`: the save observer is told of
   * the change to DELETED, as of nova's save of it before its destroy() (the compute host's
   * _delete_instance, the API's _local_delete); a server never scheduled is destroyed unsaid.
   * @throws InstanceNotFound when it is already gone
   */
  async destroy(uuid: string, opts: { asSave?: boolean } = {}): Promise<void> {
    const now = nowIso();
    const observer = opts.asSave ? this.onSave : undefined;
    let saved: { before: InstanceStatesBefore; after: Instance } | undefined;
    await transaction(this.db, async (t) => {
      let q = t.selectFrom('instances').select(['id', 'vm_state', 'task_state', 'display_name']).where('uuid', '=', uuid).where('deleted', '=', 0);
      // the states the observer is told are the ones the update replaces (SQLite's BEGIN IMMEDIATE already holds the writers off)
      if (observer && dialectOf(t) !== 'sqlite') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) throw new InstanceNotFound(uuid);
      const done = await t.updateTable('instances')
        .set({ deleted: row.id, deleted_at: now, updated_at: now, vm_state: 'deleted', task_state: null, terminated_at: now })
        .where('id', '=', row.id).where('deleted', '=', 0).executeTakeFirst();
      if (done.numUpdatedRows === 0n) throw new InstanceNotFound(uuid);
      if (observer) {
        // the instance as the save left it, before its metadata and tags go
        const after = await t.selectFrom('instances').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
        saved = { before: { vm_state: row.vm_state, task_state: row.task_state, display_name: row.display_name }, after: (await this.hydrate([after], t))[0]! };
      }
      for (const table of ['instance_extra', 'instance_info_caches', 'instance_metadata', 'instance_system_metadata', 'block_device_mapping'] as const) {
        await t.updateTable(table).set((eb) => ({ deleted: eb.ref('id'), deleted_at: now })).where('instance_uuid', '=', uuid).where('deleted', '=', 0).execute();
      }
      await t.deleteFrom('tags').where('resource_id', '=', uuid).execute();
      await t.deleteFrom('instance_group_member').where('instance_uuid', '=', uuid).execute();
    });
    if (observer && saved) await observer(saved.before, saved.after);
  }

  /** Live instances, VCPUs and memory of a project (and of one user in it): nova's quota counts (_get_counts_in_db), SOFT_DELETED ones left out. */
  async usage(projectId: string, userId?: string): Promise<{ instances: number; cores: number; ram: number }> {
    const row = (userId ? await userUsage.first(this.db, { projectId, userId }) : await projectUsage.first(this.db, { projectId }))!;
    return { instances: Number(row.n), cores: Number(row.cores ?? 0), ram: Number(row.ram ?? 0) };
  }
}
