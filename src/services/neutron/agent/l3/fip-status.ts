/** update_fip_statuses' bookkeeping: what a router's floating IPs are reported as, and what changed since the last report. */
import type { RouterInfo } from '../../rpc/payloads.js';

export const FIP_ACTIVE = 'ACTIVE';
export const FIP_DOWN = 'DOWN';
export const FIP_ERROR = 'ERROR';

/** The router's associated floating IPs get `status`, those gone since `before` DOWN; `now` is the new report, `changes` only what differs. */
export function floatingIpStatusChanges(before: ReadonlyMap<string, string>, router: RouterInfo, status: string): { now: Map<string, string>; changes: Record<string, string> } {
  const now = new Map<string, string>();
  for (const f of router._floatingips) if (f.port_id) now.set(f.id, status);
  const changes: Record<string, string> = {};
  for (const [id, s] of now) if (before.get(id) !== s) changes[id] = s;
  for (const id of before.keys()) if (!now.has(id)) changes[id] = FIP_DOWN;
  return { now, changes };
}
