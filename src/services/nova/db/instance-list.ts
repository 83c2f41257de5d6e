/**
 * The server list (nova's instance_get_all_by_filters_sort): exact filters, states, time
 * windows and deletion in SQL with the sort keys; nova's regular-expression filters (name,
 * hostname, ip...), the tag filters and the paging by marker are applied on the sorted rows,
 * since regular expressions have no portable SQL form.
 */
import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { MarkerNotFound } from '../errors.js';
import type { Instance } from '../objects/index.js';
import type { InstanceRepo } from './instances.js';
import type { InstancesTable, NovaDB } from './schema.js';

/** vm_states.SOFT_DELETED. */
const SOFT_DELETED = 'soft-delete';

export type InstanceColumn = keyof InstancesTable & string;

export interface InstanceListQuery {
  projectId?: string;
  userId?: string;
  /** false: live only (default); true: deleted only; 'any': both. */
  deleted: boolean | 'any';
  /**
   * nova's soft_deleted filter, how SOFT_DELETED servers (live rows) count: with deleted false
   * they are left out unless it is true; with deleted true they are included unless it is false.
   */
  softDeleted?: boolean;
  /** column -> accepted values. */
  exact: Partial<Record<InstanceColumn, Array<string | number | null>>>;
  vmStates?: string[];
  /** null in the list: no task. */
  taskStates?: Array<string | null>;
  changesSince?: string;
  changesBefore?: string;
  /** column -> regular expression (nova's "regex" filters, case-insensitive search). */
  regex: Partial<Record<InstanceColumn, string>>;
  ip?: string;
  ip6?: string;
  tags?: string[];
  tagsAny?: string[];
  notTags?: string[];
  notTagsAny?: string[];
  sortKeys: InstanceColumn[];
  sortDirs: Array<'asc' | 'desc'>;
  limit: number;
  marker?: string;
}

function ipMatches(instance: Instance, pattern: string, version: 4 | 6): boolean {
  const re = new RegExp(pattern);
  return instance.data.network_info.some((vif) => vif.network.subnets.some((s) => s.ips.some((ip) =>
    (ip.version === version && re.test(ip.address)) || ip.floating_ips.some((f) => f.version === version && re.test(f.address)))));
}

export async function listInstances(db: Kysely<NovaDB>, repo: InstanceRepo, q: InstanceListQuery): Promise<Instance[]> {
  let sel: SelectQueryBuilder<NovaDB, 'instances', any> = db.selectFrom('instances').selectAll();
  if (q.deleted === false) {
    sel = sel.where('deleted', '=', 0);
    if (q.softDeleted !== true) sel = sel.where('vm_state', '!=', SOFT_DELETED);
  } else if (q.deleted === true) {
    sel = q.softDeleted === false ? sel.where('deleted', '!=', 0) : sel.where((eb) => eb.or([eb('deleted', '!=', 0), eb('vm_state', '=', SOFT_DELETED)]));
  }
  if (q.projectId !== undefined) sel = sel.where('project_id', '=', q.projectId);
  if (q.userId !== undefined) sel = sel.where('user_id', '=', q.userId);
  for (const [col, values] of Object.entries(q.exact) as Array<[InstanceColumn, Array<string | number | null>]>) {
    const nonNull = values.filter((v) => v !== null);
    sel = sel.where((eb) => eb.or([
      ...(nonNull.length > 0 ? [eb(col, 'in', nonNull)] : []),
      ...(values.includes(null) ? [eb(col, 'is', null)] : []),
    ]));
  }
  if (q.vmStates) sel = sel.where('vm_state', 'in', q.vmStates.length > 0 ? q.vmStates : ['']);
  if (q.taskStates) {
    const ts = q.taskStates;
    const named = ts.filter((t): t is string => t !== null);
    sel = sel.where((eb) => eb.or([...(named.length > 0 ? [eb('task_state', 'in', named)] : []), ...(ts.includes(null) ? [eb('task_state', 'is', null)] : [])]));
  }
  // updated_at is null until the first save: the creation time counts then.
  if (q.changesSince) sel = sel.where((eb) => eb(eb.fn.coalesce('updated_at', 'created_at'), '>=', q.changesSince!));
  if (q.changesBefore) sel = sel.where((eb) => eb(eb.fn.coalesce('updated_at', 'created_at'), '<=', q.changesBefore!));
  q.sortKeys.forEach((key, i) => { sel = sel.orderBy(key, q.sortDirs[i] ?? 'desc'); });
  sel = sel.orderBy('id', q.sortDirs[0] ?? 'desc');
  let instances = await repo.hydrate((await sel.execute()) as Array<Selectable<InstancesTable>>);

  for (const [col, pattern] of Object.entries(q.regex) as Array<[InstanceColumn, string]>) {
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'i');
    } catch {
      return [];
    }
    const field = col === 'display_name' ? 'display_name' : col;
    instances = instances.filter((i) => {
      const v = (i.data as unknown as Record<string, unknown>)[field];
      return v !== null && v !== undefined && re.test(String(v));
    });
  }
  if (q.ip) instances = instances.filter((i) => ipMatches(i, q.ip!, 4));
  if (q.ip6) instances = instances.filter((i) => ipMatches(i, q.ip6!, 6));
  if (q.tags) instances = instances.filter((i) => q.tags!.every((t) => i.data.tags.includes(t)));
  if (q.tagsAny) instances = instances.filter((i) => q.tagsAny!.some((t) => i.data.tags.includes(t)));
  if (q.notTags) instances = instances.filter((i) => !q.notTags!.every((t) => i.data.tags.includes(t)));
  if (q.notTagsAny) instances = instances.filter((i) => !q.notTagsAny!.some((t) => i.data.tags.includes(t)));

  if (q.marker !== undefined) {
    const at = instances.findIndex((i) => i.uuid === q.marker);
    if (at < 0) {
      const exists = await db.selectFrom('instances').select('id').where('uuid', '=', q.marker).executeTakeFirst();
      if (!exists) throw new MarkerNotFound(q.marker);
      return [];
    }
    instances = instances.slice(at + 1);
  }
  return instances.slice(0, q.limit);
}
