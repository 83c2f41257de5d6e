/**
 * CapacityWeigher (cinder/scheduler/weights/capacity.py): pools with more (virtual) free space
 * weigh more: on a thin provisioned pool total × max_over_subscription_ratio − provisioned −
 * reserved, otherwise free − reserved; an unknown capacity weighs least (or most when the
 * multiplier is negative, which stacks volumes).
 */
import type { PoolState } from '../host-state.js';
import type { Weigher } from './base.js';

export class CapacityWeigher implements Weigher {
  readonly name = 'CapacityWeigher';

  constructor(readonly multiplier: number) {}

  weigh(pool: PoolState): number {
    const total = pool.totalCapacityGb;
    const free = pool.freeCapacityGb;
    if (free === 'infinite') return Number.POSITIVE_INFINITY;
    if (free === 'unknown' || total === 'unknown' || total === 'infinite') return this.multiplier > 0 ? -1 : Number.POSITIVE_INFINITY;
    const reserved = Math.floor(total * (pool.reservedPercentage / 100));
    if (pool.thinProvisioningSupport && pool.maxOverSubscriptionRatio >= 1) {
      return total * pool.maxOverSubscriptionRatio - pool.provisionedCapacityGb - reserved;
    }
    return free - reserved;
  }
}
