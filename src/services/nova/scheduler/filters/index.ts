/** The scheduler filters by the names [filter_scheduler] enabled_filters uses. */
import { OperatorError } from '../../../../common/errors.js';
import { aggregateInstanceExtraSpecsFilter } from './aggregate-instance-extra-specs-filter.js';
import { availabilityZoneFilter } from './availability-zone-filter.js';
import type { FilterSettings, HostFilter } from './base.js';
import { computeCapabilitiesFilter } from './compute-capabilities-filter.js';
import { computeFilter } from './compute-filter.js';
import { imagePropertiesFilter } from './image-properties-filter.js';
import { serverGroupAffinityFilter } from './server-group-affinity-filter.js';
import { serverGroupAntiAffinityFilter } from './server-group-anti-affinity-filter.js';

export type { FilterSettings, HostFilter } from './base.js';

const FILTERS: Record<string, (s: FilterSettings) => HostFilter> = {
  ComputeFilter: computeFilter,
  AvailabilityZoneFilter: availabilityZoneFilter,
  ImagePropertiesFilter: imagePropertiesFilter,
  ServerGroupAffinityFilter: serverGroupAffinityFilter,
  ServerGroupAntiAffinityFilter: serverGroupAntiAffinityFilter,
  AggregateInstanceExtraSpecsFilter: aggregateInstanceExtraSpecsFilter,
  ComputeCapabilitiesFilter: computeCapabilitiesFilter,
};

/** The enabled filters, in order. @throws OperatorError naming an unknown filter */
export function enabledFilters(names: readonly string[], settings: FilterSettings): HostFilter[] {
  return names.map((name) => {
    const make = FILTERS[name];
    if (!make) throw new OperatorError(`[filter_scheduler] enabled_filters: unknown filter "${name}"; known: ${Object.keys(FILTERS).join(', ')}`);
    return make(settings);
  });
}
