/**
 * CapabilitiesFilter (cinder/scheduler/filters/capabilities_filter.py): every extra spec of
 * the volume type without a scope, or scoped `capabilities:`, matches the pool's capability of
 * that name (nested by further `:`); specs of other scopes (`qos:`, `volume:`...) are not
 * capabilities. A pool missing a capability a spec names fails.
 */
import type { PoolState } from '../host-state.js';
import type { BackendFilter, FilterProperties } from './base.js';
import { match } from './extra-specs-ops.js';

/** Specs that describe a volume, not a backend (volume_types.is_multiattach, RESERVED keys). */
const NOT_CAPABILITIES = new Set(['multiattach', 'replication_enabled', 'RESKEY:availability_zones']);

export class CapabilitiesFilter implements BackendFilter {
  readonly name = 'CapabilitiesFilter';

  passes(pool: PoolState, props: FilterProperties): boolean {
    for (const [key, req] of Object.entries(props.spec.extra_specs)) {
      if (NOT_CAPABILITIES.has(key)) continue;
      let scope = key.split(':');
      if (scope.length > 1) {
        if (scope[0] !== 'capabilities') continue;
        scope = scope.slice(1);
      }
      let cap: unknown = pool.capabilities;
      for (const part of scope) {
        cap = cap && typeof cap === 'object' ? (cap as Record<string, unknown>)[part] : undefined;
      }
      if (!match(cap, req)) return false;
    }
    return true;
  }
}
