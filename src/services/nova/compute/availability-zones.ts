/**
 * Availability zones of the services (nova/availability_zones.py): a compute host is in the
 * zones of its aggregates (joined) or [DEFAULT] default_availability_zone; every other service
 * is in [DEFAULT] internal_service_availability_zone. A zone is available when an enabled
 * service is in it; a zone only disabled services are in is not.
 */
import { hostAvailabilityZone, type AggregateInfo } from '../db/aggregates.js';
import type { ServiceRecord } from '../db/services.js';

export interface ZoneSettings {
  defaultAvailabilityZone: string;
  internalServiceAvailabilityZone: string;
}

export type ZonedService = ServiceRecord & { availability_zone: string };

/** set_availability_zones. */
export function setAvailabilityZones(services: readonly ServiceRecord[], aggregatesByHost: ReadonlyMap<string, AggregateInfo[]>, s: ZoneSettings): ZonedService[] {
  return services.map((svc) => ({
    ...svc,
    availability_zone: svc.binary === 'nova-compute'
      ? hostAvailabilityZone(aggregatesByHost.get(svc.host) ?? [], s.defaultAvailabilityZone)
      : s.internalServiceAvailabilityZone,
  }));
}

/** get_availability_zones: the sorted available zones and the sorted zones with only disabled services. */
export function availabilityZones(services: readonly ZonedService[]): { available: string[]; notAvailable: string[] } {
  const available = new Set(services.filter((s) => !s.disabled).map((s) => s.availability_zone));
  const notAvailable = new Set(services.filter((s) => s.disabled && !available.has(s.availability_zone)).map((s) => s.availability_zone));
  return { available: [...available].sort(), notAvailable: [...notAvailable].sort() };
}
