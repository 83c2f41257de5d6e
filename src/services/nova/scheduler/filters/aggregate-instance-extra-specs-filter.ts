/**
 * AggregateInstanceExtraSpecsFilter (nova/scheduler/filters/aggregate_instance_extra_specs.py):
 * every flavor extra spec scoped `aggregate_instance_extra_specs:` (or unscoped) must be met by
 * the metadata of one of the host's aggregates.
 */
import type { HostFilter } from './base.js';
import { matchExtraSpec } from './extra-specs-ops.js';

const SCOPE = 'aggregate_instance_extra_specs';

export function aggregateInstanceExtraSpecsFilter(): HostFilter {
  return {
    name: 'AggregateInstanceExtraSpecsFilter',
    hostPasses(host, spec) {
      const specs = spec.data.flavor.data.extra_specs;
      if (Object.keys(specs).length === 0) return true;
      const metadata = host.aggregateMetadata();
      for (const [fullKey, req] of Object.entries(specs)) {
        const parts = fullKey.split(':');
        if (parts.length > 1 && parts[0] !== SCOPE) continue;
        const key = parts.length > 1 ? parts.slice(1).join(':') : fullKey;
        const values = metadata.get(key);
        if (!values || values.size === 0) return false;
        if (![...values].some((v) => matchExtraSpec(v, req))) return false;
      }
      return true;
    },
  };
}
