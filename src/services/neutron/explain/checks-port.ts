/**
 * The hops of a port itself: its status and admin state, and its binding (host, VIF type,
 * binding_failed).
 */
import { broken, type HopCheck, ok, type Side, unknown, type Walk } from './walk.js';
import type { Hop } from './types.js';

const isNetworkOwned = (owner: string): boolean => owner.startsWith('network:');

export class PortStatusCheck implements HopCheck {
  constructor(private readonly side: Side) {}

  async run(walk: Walk): Promise<Hop> {
    const hop = `${this.side} port status`;
    const end = walk.portEnd(this.side)!;
    const p = end.port;
    if (!p.admin_state_up) {
      return broken(hop, 'neutron', `port ${p.id} is administratively down (admin_state_up=false): the L2 agent keeps it unplugged from the network`, `openstack port set --enable ${p.id}`);
    }
    if (p.status === 'ACTIVE') return ok(hop, 'neutron', `port ${p.id} (${p.mac_address}, ${end.ip ?? 'no IP'}) is ACTIVE`);
    if (isNetworkOwned(p.device_owner)) return ok(hop, 'neutron', `port ${p.id} is ${p.device_owner}'s (status ${p.status})`);
    if (!p.device_id) {
      return broken(hop, 'neutron', `port ${p.id} is ${p.status} and attached to nothing (no device_id): no server uses it`,
        `openstack server add port <server> ${p.id}`);
    }
    return broken(hop, 'neutron', `port ${p.id} is ${p.status}: no L2 agent has reported its device up on host '${p['binding:host_id'] || '(none)'}'`,
      `nubo serve network-l2-agent --host ${p['binding:host_id'] || '<host>'}   # (re)start that host's Linux bridge agent; check: openstack network agent list --host ${p['binding:host_id'] || '<host>'}`);
  }
}

export class PortBindingCheck implements HopCheck {
  constructor(private readonly side: Side) {}

  async run(walk: Walk): Promise<Hop> {
    const hop = `${this.side} port binding`;
    const p = walk.portEnd(this.side)!.port;
    const host = p['binding:host_id'];
    const vif = p['binding:vif_type'];
    if (isNetworkOwned(p.device_owner) && !host) return unknown(hop, 'neutron', `port ${p.id} belongs to ${p.device_owner}; it is not bound to a host yet`);
    if (!host) {
      return broken(hop, 'neutron', `port ${p.id} is bound to no host (binding:host_id empty, vif_type ${vif}): nothing plugs it`,
        `openstack port set --host <compute host> ${p.id}   # Nova does this when a server boots on the port`);
    }
    if (vif === 'binding_failed') {
      return broken(hop, 'neutron', `binding of port ${p.id} on host ${host} failed (vif_type binding_failed): no mechanism driver found a live agent there for the network's segment`,
        `openstack network agent list --host ${host}   # start the L2 agent (nubo serve network-l2-agent --host ${host}), then rebind: openstack port set --host ${host} ${p.id}`);
    }
    if (vif === 'unbound') return broken(hop, 'neutron', `port ${p.id} is unbound (vif_type unbound) on host ${host}`, `openstack port set --host ${host} ${p.id}`);
    return ok(hop, 'neutron', `bound on host ${host}, vif_type ${vif}`);
  }
}
