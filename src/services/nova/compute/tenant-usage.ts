/**
 * Simple tenant usage (nova/api/openstack/compute/simple_tenant_usage.py's
 * _tenant_usages_for_period): for each instance that ran during a period, the hours it ran in
 * it (from launched_at, or the period's start if later, to terminated_at, or the period's
 * end if earlier), billed by its flavor's vcpus, memory and disk; summed per project.
 */
import type { Kysely } from 'kysely';
import { isoSeconds } from '../../../common/db/index.js';
import type { NovaDB } from '../db/schema.js';
import { activeByWindow, type UsageInstance } from '../db/usage-window.js';

export interface ServerUsage {
  hours: number;
  flavor: string;
  instance_id: string;
  name: string | null;
  tenant_id: string;
  memory_mb: number;
  local_gb: number;
  vcpus: number;
  started_at: string;
  ended_at: string | null;
  state: string;
  uptime: number;
}

export interface TenantUsage {
  tenant_id: string;
  server_usages?: ServerUsage[];
  total_local_gb_usage: number;
  total_vcpus_usage: number;
  total_memory_mb_usage: number;
  total_hours: number;
  start: string;
  stop: string;
}

/** A naive UTC datetime as nova's JSON writes one (isoformat: microseconds only when not zero). */
export function naiveIso(d: Date): string {
  const base = d.toISOString().slice(0, 19);
  const ms = d.getUTCMilliseconds();
  return ms ? `${base}.${String(ms * 1000).padStart(6, '0')}` : base;
}

const HOUR_MS = 3_600_000;

/** _hours_for. */
function hoursFor(i: UsageInstance, start: Date, stop: Date): number {
  const launched = i.launched_at ? new Date(i.launched_at) : null;
  const terminated = i.terminated_at ? new Date(i.terminated_at) : null;
  if (terminated && terminated < start) return 0;
  if (!launched || launched > stop) return 0;
  const from = launched > start ? launched : start;
  const to = terminated && terminated < stop ? terminated : stop;
  return (to.getTime() - from.getTime()) / HOUR_MS;
}

export interface UsageQuery {
  start: Date;
  stop: Date;
  projectId: string | null;
  detailed: boolean;
  limit: number;
  marker: string | null;
}

/** The per-project summaries and every server's usage. @throws MarkerNotFound */
export async function tenantUsagesForPeriod(db: Kysely<NovaDB>, q: UsageQuery, now = new Date()): Promise<{ usages: TenantUsage[]; servers: ServerUsage[] }> {
  const instances = await activeByWindow(db, {
    start: isoSeconds(q.start), stop: isoSeconds(q.stop), projectId: q.projectId, limit: q.limit, marker: q.marker,
  });
  const byTenant = new Map<string, TenantUsage>();
  const servers: ServerUsage[] = [];
  for (const i of instances) {
    const hours = hoursFor(i, q.start, q.stop);
    const f = i.flavor;
    const startedAt = new Date(i.launched_at!);
    const endedAt = i.terminated_at ? new Date(i.terminated_at) : null;
    const info: ServerUsage = {
      hours, flavor: f?.name ?? '', instance_id: i.uuid, name: i.display_name, tenant_id: i.project_id,
      memory_mb: f?.memory_mb ?? 0, local_gb: (f?.root_gb ?? 0) + (f?.ephemeral_gb ?? 0), vcpus: f?.vcpus ?? 0,
      started_at: naiveIso(startedAt), ended_at: endedAt ? naiveIso(endedAt) : null, state: endedAt ? 'terminated' : i.vm_state,
      uptime: Math.trunc(((endedAt ?? now).getTime() - startedAt.getTime()) / 1000),
    };
    let summary = byTenant.get(i.project_id);
    if (!summary) {
      summary = {
        tenant_id: i.project_id, ...(q.detailed ? { server_usages: [] } : {}), total_local_gb_usage: 0, total_vcpus_usage: 0,
        total_memory_mb_usage: 0, total_hours: 0, start: naiveIso(q.start), stop: naiveIso(q.stop),
      };
      byTenant.set(i.project_id, summary);
    }
    summary.total_local_gb_usage += info.local_gb * hours;
    summary.total_vcpus_usage += info.vcpus * hours;
    summary.total_memory_mb_usage += info.memory_mb * hours;
    summary.total_hours += hours;
    servers.push(info);
    summary.server_usages?.push(info);
  }
  return { usages: [...byTenant.values()], servers };
}
