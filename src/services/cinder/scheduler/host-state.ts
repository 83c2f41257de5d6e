/**
 * The scheduler's view of the pools (cinder/scheduler/host_manager.py's BackendState and
 * PoolState): each volume service's last capability report, one PoolState per pool named
 * `host@backend#pool`, with the zone of its service.
 */
export interface PoolState {
  /** `host@backend#pool`. */
  name: string;
  /** `host@backend`. */
  backend: string;
  availabilityZone: string;
  totalCapacityGb: number | 'infinite' | 'unknown';
  freeCapacityGb: number | 'infinite' | 'unknown';
  provisionedCapacityGb: number;
  allocatedCapacityGb: number;
  reservedPercentage: number;
  maxOverSubscriptionRatio: number;
  thinProvisioningSupport: boolean;
  thickProvisioningSupport: boolean;
  /** Every capability: the backend's and the pool's (what CapabilitiesFilter matches). */
  capabilities: Record<string, unknown>;
  updatedAt: string;
}

/** A pool as scheduler-stats/get_pools shows it. */
export interface PoolView {
  name: string;
  capabilities: Record<string, unknown>;
}

function capacity(v: unknown): number | 'infinite' | 'unknown' {
  if (v === 'infinite' || v === 'unknown') return v;
  const n = Number(v);
  return Number.isFinite(n) ? n : 'unknown';
}

/** The pools of one volume service's capability report. */
export function poolsOf(backend: string, zone: string, capabilities: Record<string, unknown>, updatedAt: string): PoolState[] {
  const { pools, ...shared } = capabilities as { pools?: Array<Record<string, unknown>> };
  return (pools ?? []).map((pool) => {
    const caps = { ...shared, ...pool, timestamp: updatedAt };
    return {
      name: `${backend}#${String(pool['pool_name'])}`,
      backend,
      availabilityZone: zone,
      totalCapacityGb: capacity(pool['total_capacity_gb']),
      freeCapacityGb: capacity(pool['free_capacity_gb']),
      provisionedCapacityGb: Number(pool['provisioned_capacity_gb'] ?? pool['allocated_capacity_gb'] ?? 0),
      allocatedCapacityGb: Number(pool['allocated_capacity_gb'] ?? 0),
      reservedPercentage: Number(pool['reserved_percentage'] ?? 0),
      maxOverSubscriptionRatio: Number(pool['max_over_subscription_ratio'] ?? 1),
      thinProvisioningSupport: pool['thin_provisioning_support'] === true,
      thickProvisioningSupport: pool['thick_provisioning_support'] === true,
      capabilities: caps,
      updatedAt,
    };
  });
}

/** A pool's state after a volume of `size` GiB was placed on it (consume_from_volume). */
export function consume(pool: PoolState, size: number): void {
  if (typeof pool.freeCapacityGb === 'number') pool.freeCapacityGb -= size;
  pool.allocatedCapacityGb += size;
  pool.provisionedCapacityGb += size;
}
