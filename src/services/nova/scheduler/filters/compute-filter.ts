/** ComputeFilter (nova/scheduler/filters/compute_filter.py): the host's compute service is enabled and up. */
import { serviceIsUp } from '../../db/services.js';
import type { FilterSettings, HostFilter } from './base.js';

export function computeFilter(settings: FilterSettings): HostFilter {
  return {
    name: 'ComputeFilter',
    hostPasses(host) {
      const service = host.service;
      if (!service || service.disabled) return false;
      return serviceIsUp(service, settings.serviceDownTime);
    },
  };
}
