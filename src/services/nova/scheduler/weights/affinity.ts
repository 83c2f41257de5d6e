/**
 * ServerGroupSoftAffinityWeigher and ServerGroupSoftAntiAffinityWeigher
 * (nova/scheduler/weights/affinity.py): for `soft-affinity` groups, hosts with more of the
 * group's members weigh more; for `soft-anti-affinity`, less.
 */
import type { RequestSpec } from '../../objects/index.js';
import type { HostState } from '../host-state.js';
import type { Weigher } from './base.js';

function membersOnHost(host: HostState, spec: RequestSpec): number {
  const members = new Set(spec.data.instance_group?.data.members ?? []);
  let n = 0;
  for (const uuid of host.instances) if (members.has(uuid)) n++;
  return n;
}

export function softAffinityWeigher(multiplier: number): Weigher {
  return {
    name: 'ServerGroupSoftAffinityWeigher', multiplier,
    weigh: (host, spec) => (spec.data.instance_group?.data.policy === 'soft-affinity' ? membersOnHost(host, spec) : 0),
  };
}

export function softAntiAffinityWeigher(multiplier: number): Weigher {
  return {
    name: 'ServerGroupSoftAntiAffinityWeigher', multiplier,
    weigh: (host, spec) => (spec.data.instance_group?.data.policy === 'soft-anti-affinity' ? -membersOnHost(host, spec) : 0),
  };
}
