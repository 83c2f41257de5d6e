/**
 * instance_get_active_by_window_joined: the instances (deleted ones too) that ran during a
 * period, for os-simple-tenant-usage: not terminated before its start and launched before its
 * end, of one project or all, ordered by project then uuid with marker and limit paging, each
 * with the flavor it has (instance_extra) for billing.
 */
import type { Kysely } from 'kysely';
import { MarkerNotFound } from '../errors.js';
import type { FlavorFields } from '../objects/index.js';
import type { NovaDB } from './schema.js';

export interface UsageInstance {
  uuid: string;
  display_name: string | null;
  project_id: string;
  vm_state: string;
  launched_at: string | null;
  terminated_at: string | null;
  /** The flavor snapshot; null when the instance has none recorded. */
  flavor: Pick<FlavorFields, 'name' | 'memory_mb' | 'vcpus' | 'root_gb' | 'ephemeral_gb'> | null;
}

export interface UsageWindowQuery {
  /** ISO timestamps as the database stores them. */
  start: string;
  stop: string;
  projectId: string | null;
  limit: number;
  marker: string | null;
}

export async function activeByWindow(db: Kysely<NovaDB>, q: UsageWindowQuery): Promise<UsageInstance[]> {
  let sel = db.selectFrom('instances as i')
    .leftJoin('instance_extra as e', 'e.instance_uuid', 'i.uuid')
    .select(['i.uuid', 'i.display_name', 'i.project_id', 'i.vm_state', 'i.launched_at', 'i.terminated_at', 'e.flavor'])
    .where((eb) => eb.or([eb('i.terminated_at', 'is', null), eb('i.terminated_at', '>', q.start)]))
    .where('i.launched_at', '<', q.stop);
  if (q.projectId !== null) sel = sel.where('i.project_id', '=', q.projectId);
  if (q.marker !== null) {
    const marker = await db.selectFrom('instances').select(['project_id', 'uuid']).where('uuid', '=', q.marker).executeTakeFirst();
    if (!marker) throw new MarkerNotFound(q.marker);
    sel = sel.where((eb) => eb.or([
      eb('i.project_id', '>', marker.project_id),
      eb.and([eb('i.project_id', '=', marker.project_id), eb('i.uuid', '>', marker.uuid)]),
    ]));
  }
  const rows = await sel.orderBy('i.project_id').orderBy('i.uuid').limit(q.limit).execute();
  return rows.map((r) => {
    const cur = r.flavor ? (JSON.parse(r.flavor) as { cur?: FlavorFields | null }).cur ?? null : null;
    return {
      uuid: r.uuid, display_name: r.display_name, project_id: r.project_id, vm_state: r.vm_state, launched_at: r.launched_at, terminated_at: r.terminated_at,
      flavor: cur ? { name: cur.name, memory_mb: cur.memory_mb, vcpus: cur.vcpus, root_gb: cur.root_gb, ephemeral_gb: cur.ephemeral_gb } : null,
    };
  });
}
