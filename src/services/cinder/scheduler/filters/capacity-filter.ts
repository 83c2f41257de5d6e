/**
 * CapacityFilter (cinder/scheduler/filters/capacity_filter.py): the pool has room for the
 * request after its reserved percentage; on a thin provisioned pool (when the volume type does
 * not ask for thick) the provisioned ratio after the request stays within
 * max_over_subscription_ratio and the virtual free space (free × ratio) holds the request.
 */
import type { PoolState } from '../host-state.js';
import type { BackendFilter, FilterProperties } from './base.js';
import { isTrueSpec } from './extra-specs-ops.js';

export class CapacityFilter implements BackendFilter {
  readonly name = 'CapacityFilter';

  passes(pool: PoolState, props: FilterProperties): boolean {
    const requested = props.size;
    const free = pool.freeCapacityGb;
    const totalSpace = pool.totalCapacityGb;
    const reserved = pool.reservedPercentage / 100;
    if (free === 'infinite' || free === 'unknown') return true;
    if (totalSpace === 'infinite' || totalSpace === 'unknown') return reserved === 0;
    const total = totalSpace;
    if (total <= 0) return false;
    const freeAfterReserve = free - Math.floor(total * reserved);
    const specs = props.spec.extra_specs;
    const wantsThick = isTrueSpec(specs['thick_provisioning_support']) || isTrueSpec(specs['capabilities:thick_provisioning_support']);
    const wantsThin = isTrueSpec(specs['thin_provisioning_support']) || isTrueSpec(specs['capabilities:thin_provisioning_support']);
    const useThin = pool.thinProvisioningSupport && (wantsThin || !wantsThick) && pool.maxOverSubscriptionRatio >= 1;
    if (useThin) {
      const provisionedRatio = (pool.provisionedCapacityGb + requested) / total;
      if (provisionedRatio > pool.maxOverSubscriptionRatio) return false;
      return freeAfterReserve * pool.maxOverSubscriptionRatio >= requested;
    }
    return freeAfterReserve >= requested;
  }
}
