/**
 * ServerGroupAffinityFilter (nova/scheduler/filters/affinity_filter.py): a server of an
 * `affinity` group goes where the group's members are (anywhere for the first one).
 */
import type { HostFilter } from './base.js';

export function serverGroupAffinityFilter(): HostFilter {
  return {
    name: 'ServerGroupAffinityFilter',
    hostPasses(host, spec) {
      const group = spec.data.instance_group;
      if (group?.data.policy !== 'affinity') return true;
      const hosts = group.data.hosts;
      return hosts.length === 0 || hosts.includes(host.host);
    },
  };
}
