/** AvailabilityZoneFilter (cinder/scheduler/filters/availability_zone_filter.py): the pool's service is in the zone asked for. */
import type { PoolState } from '../host-state.js';
import type { BackendFilter, FilterProperties } from './base.js';

export class AvailabilityZoneFilter implements BackendFilter {
  readonly name = 'AvailabilityZoneFilter';

  passes(pool: PoolState, props: FilterProperties): boolean {
    const zone = props.spec.availability_zone;
    return !zone || zone === pool.availabilityZone;
  }
}
