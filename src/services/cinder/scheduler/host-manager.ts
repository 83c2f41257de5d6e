/**
 * HostManager (cinder/scheduler/host_manager.py): the capability reports of the volume
 * services, kept in memory as each scheduler hears them, turned into pool states for the
 * services that are up and enabled (their zone from the services table).
 */
import type { CinderRepos } from '../db/repos.js';
import { SERVICE_DOWN_TIME } from '../config.js';
import { VOLUME_BINARY } from '../rpc/topics.js';
import { poolsOf, type PoolState } from './host-state.js';

export function serviceIsUp(updatedAt: string | null, createdAt: string, now = Date.now()): boolean {
  const last = Date.parse(updatedAt ?? createdAt);
  return Number.isFinite(last) && now - last <= SERVICE_DOWN_TIME * 1000;
}

export class HostManager {
  private readonly reports = new Map<string, { capabilities: Record<string, unknown>; timestamp: string }>();

  constructor(private readonly repos: CinderRepos) {}

  updateServiceCapabilities(serviceName: string, host: string, capabilities: Record<string, unknown>, timestamp: string): void {
    if (serviceName !== VOLUME_BINARY) return;
    const known = this.reports.get(host);
    if (known && known.timestamp > timestamp) return; // an older report arriving late
    this.reports.set(host, { capabilities, timestamp });
  }

  /** The pools of the volume services that are up and enabled (all of them with `includeDown`). */
  async pools(includeDown = false): Promise<PoolState[]> {
    const services = new Map((await this.repos.services.list()).filter((s) => s.binary === VOLUME_BINARY).map((s) => [s.host, s]));
    const out: PoolState[] = [];
    for (const [host, report] of this.reports) {
      const service = services.get(host);
      if (!service) continue;
      if (!includeDown && (service.disabled || !serviceIsUp(service.updated_at, service.created_at))) continue;
      out.push(...poolsOf(host, service.availability_zone, report.capabilities, report.timestamp));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
