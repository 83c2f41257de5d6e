/** The backend filters by the names [DEFAULT] scheduler_default_filters gives them. */
import { OperatorError } from '../../../../common/errors.js';
import { AvailabilityZoneFilter } from './availability-zone-filter.js';
import type { BackendFilter } from './base.js';
import { CapabilitiesFilter } from './capabilities-filter.js';
import { CapacityFilter } from './capacity-filter.js';

const FILTERS: Record<string, () => BackendFilter> = {
  AvailabilityZoneFilter: () => new AvailabilityZoneFilter(),
  CapacityFilter: () => new CapacityFilter(),
  CapabilitiesFilter: () => new CapabilitiesFilter(),
};

export function enabledFilters(names: readonly string[]): BackendFilter[] {
  return names.map((n) => {
    const make = FILTERS[n];
    if (!make) throw new OperatorError(`unknown scheduler filter "${n}"; known: ${Object.keys(FILTERS).join(', ')}`);
    return make();
  });
}

export type { BackendFilter, FilterProperties } from './base.js';
