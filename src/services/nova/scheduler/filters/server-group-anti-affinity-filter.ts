/**
 * ServerGroupAntiAffinityFilter (nova/scheduler/filters/affinity_filter.py): a server of an
 * `anti-affinity` group goes to a host with fewer of the group's members than the group's
 * max_server_per_host rule (1 by default), counting the servers this request placed already.
 */
import type { HostFilter } from './base.js';

export function serverGroupAntiAffinityFilter(): HostFilter {
  return {
    name: 'ServerGroupAntiAffinityFilter',
    hostPasses(host, spec) {
      const group = spec.data.instance_group;
      if (group?.data.policy !== 'anti-affinity') return true;
      const max = group.data.rules['max_server_per_host'] ?? 1;
      const members = new Set(group.data.members);
      let count = 0;
      for (const uuid of host.instances) if (members.has(uuid)) count++;
      return count < max;
    },
  };
}
