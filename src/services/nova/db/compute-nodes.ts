/**
 * Compute nodes (nova's ComputeNode): the hypervisor records the resource tracker of each host
 * writes (its size, what is used, its stats, the allocation ratios) and the scheduler's host
 * manager reads. A node's uuid is also its resource provider's uuid in Placement.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { insertIgnore, nowIso, prepared } from '../../../common/db/index.js';
import type { ComputeNodesTable, NovaDB } from './schema.js';

export type ComputeNodeRecord = Omit<Selectable<ComputeNodesTable>, 'deleted' | 'deleted_at'>;

/** What the resource tracker reports about a node. */
export type ComputeNodeReport = Pick<ComputeNodeRecord,
  'vcpus' | 'memory_mb' | 'local_gb' | 'vcpus_used' | 'memory_mb_used' | 'local_gb_used' | 'hypervisor_type' | 'hypervisor_version'
  | 'cpu_info' | 'disk_available_least' | 'free_ram_mb' | 'free_disk_gb' | 'current_workload' | 'running_vms' | 'host_ip'
  | 'supported_instances' | 'stats' | 'cpu_allocation_ratio' | 'ram_allocation_ratio' | 'disk_allocation_ratio'>;

/** A host's node (prepared: each claim and update of the resource tracker reads it). */
const nodeByName = prepared((db: Kysely<NovaDB>, p: { host: string; nodename: string }) => db.selectFrom('compute_nodes').selectAll()
  .where('host', '=', p.host).where('hypervisor_hostname', '=', p.nodename).where('deleted', '=', 0));

export class ComputeNodeRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** The node of (host, nodename), created with a new uuid when missing. */
  async ensure(host: string, nodename: string, serviceId: number, report: ComputeNodeReport): Promise<ComputeNodeRecord> {
    const now = nowIso();
    await insertIgnore(this.db, 'compute_nodes', {
      uuid: randomUUID(), service_id: serviceId, host, hypervisor_hostname: nodename, ...report, mapped: 1, created_at: now, updated_at: null, deleted_at: null,
    });
    return (await this.get(host, nodename))!;
  }

  async get(host: string, nodename: string): Promise<ComputeNodeRecord | undefined> {
    return nodeByName.first(this.db, { host, nodename });
  }

  async update(uuid: string, report: Partial<ComputeNodeReport>): Promise<void> {
    await this.db.updateTable('compute_nodes').set({ ...report, updated_at: nowIso() }).where('uuid', '=', uuid).execute();
  }

  /** Live nodes, optionally only these uuids. */
  async list(uuids?: readonly string[]): Promise<ComputeNodeRecord[]> {
    let q = this.db.selectFrom('compute_nodes').selectAll().where('deleted', '=', 0);
    if (uuids) {
      if (uuids.length === 0) return [];
      q = q.where('uuid', 'in', [...uuids]);
    }
    return q.orderBy('id').execute();
  }

  /** A live node by id (before 2.53) or uuid. */
  async find(by: { id: number } | { uuid: string }): Promise<ComputeNodeRecord | undefined> {
    let q = this.db.selectFrom('compute_nodes').selectAll().where('deleted', '=', 0);
    q = 'id' in by ? q.where('id', '=', by.id) : q.where('uuid', '=', by.uuid);
    return q.executeTakeFirst();
  }

  /** The live nodes of a host. */
  async byHost(host: string): Promise<ComputeNodeRecord[]> {
    return this.db.selectFrom('compute_nodes').selectAll().where('host', '=', host).where('deleted', '=', 0).orderBy('id').execute();
  }

  /** ComputeNodeList.get_by_pagination: by id, after the node `afterId`, at most `limit`. */
  async page(limit: number, afterId?: number): Promise<ComputeNodeRecord[]> {
    let q = this.db.selectFrom('compute_nodes').selectAll().where('deleted', '=', 0);
    if (afterId !== undefined) q = q.where('id', '>', afterId);
    return q.orderBy('id').limit(limit).execute();
  }

  /** compute_node_search_by_hypervisor: hypervisor_hostname contains `pattern` (SQL LIKE, as upstream). */
  async search(pattern: string): Promise<ComputeNodeRecord[]> {
    return this.db.selectFrom('compute_nodes').selectAll().where('deleted', '=', 0).where('hypervisor_hostname', 'like', `%${pattern}%`)
      .orderBy('id').execute();
  }

  /** ComputeNode.destroy of every node of a host (its compute service was deleted). */
  async destroyByHost(host: string): Promise<void> {
    const now = nowIso();
    for (const node of await this.byHost(host)) {
      await this.db.updateTable('compute_nodes').set({ deleted: node.id, deleted_at: now, updated_at: now }).where('id', '=', node.id).execute();
    }
  }
}
