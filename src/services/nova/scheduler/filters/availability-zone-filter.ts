/**
 * AvailabilityZoneFilter (nova/scheduler/filters/availability_zone_filter.py): the host is in
 * the requested zone: one of its aggregates' availability_zone, or the default zone when none
 * of its aggregates has one.
 */
import type { FilterSettings, HostFilter } from './base.js';

export function availabilityZoneFilter(settings: FilterSettings): HostFilter {
  return {
    name: 'AvailabilityZoneFilter',
    hostPasses(host, spec) {
      const wanted = spec.data.availability_zone;
      if (!wanted) return true;
      const zones = host.aggregateMetadata().get('availability_zone');
      return zones ? zones.has(wanted) : wanted === settings.defaultAvailabilityZone;
    },
  };
}
