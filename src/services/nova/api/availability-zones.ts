/**
 * os-availability-zone (nova/api/openstack/compute/availability_zone.py): GET
 * /os-availability-zone lists the zones and whether they are available (the internal zone of
 * the non-compute services hidden, hosts null); GET /os-availability-zone/detail (admin) adds
 * for each available zone its hosts and their enabled services: up or not, enabled, last
 * heartbeat.
 */
import type { FastifyInstance } from 'fastify';
import { availabilityZones, setAvailabilityZones, type ZonedService } from '../compute/availability-zones.js';
import { serviceIsUp } from '../db/services.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';

const rule = (name: string): string => `os_compute_api:os-availability-zone:${name}`;
/** API services are not listed in the detail (nova's api_services). */
const API_SERVICES = new Set(['nova-osapi_compute', 'nova-metadata']);

async function zonedServices(deps: ApiDeps): Promise<ZonedService[]> {
  const [services, byHost] = await Promise.all([deps.repos.services.list(), deps.repos.aggregates.byHost()]);
  return setAvailabilityZones(services, byHost, deps.settings);
}

/** datetime as nova's JSON prints it. */
function novaTime(t: string | null): string | null {
  return t ? t.replace(/Z$/, '').replace(/(T\d{2}:\d{2}:\d{2})$/, '$1.000000') : null;
}

export function availabilityZoneRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-availability-zone', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('list'), {});
    const { available, notAvailable } = availabilityZones(await zonedServices(deps));
    const internal = deps.settings.internalServiceAvailabilityZone;
    const entries = (zones: string[], isAvailable: boolean): unknown[] => zones.filter((z) => z !== internal)
      .map((z) => ({ zoneName: z, zoneState: { available: isAvailable }, hosts: null }));
    return { availabilityZoneInfo: [...entries(available, true), ...entries(notAvailable, false)] };
  });

  app.get('/os-availability-zone/detail', async (req) => {
    const c = caller(req, deps);
    deps.policy.can(c.ctx, rule('detail'), {});
    const services = await zonedServices(deps);
    const { available, notAvailable } = availabilityZones(services);
    const result: unknown[] = [];
    for (const zone of available) {
      const hosts: Record<string, Record<string, unknown>> = {};
      for (const svc of services) {
        if (svc.disabled || API_SERVICES.has(svc.binary) || svc.availability_zone !== zone) continue;
        (hosts[svc.host] ??= {})[svc.binary] = {
          available: serviceIsUp(svc, deps.settings.serviceDownTime), active: !svc.disabled, updated_at: novaTime(svc.updated_at),
        };
      }
      result.push({ zoneName: zone, zoneState: { available: true }, hosts });
    }
    for (const zone of notAvailable) result.push({ zoneName: zone, zoneState: { available: false }, hosts: null });
    return { availabilityZoneInfo: result };
  });
}
