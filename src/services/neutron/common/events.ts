/**
 * The callbacks registry (neutron_lib.callbacks): managers publish events about resources,
 * and whoever cares subscribes to a (resource, event) pair instead of being called by the
 * publisher. This is how managers that need each other stay decoupled: the network manager
 * publishes network BEFORE_DELETE and PRECOMMIT_DELETE, and the port, subnet and floating IP
 * managers clean up what hangs off the network; the port manager publishes port
 * BEFORE_DELETE, and the router and floating IP managers veto the deletion of their ports.
 *
 * Callbacks run in priority order (lower first; equal priorities in subscription order).
 * A BEFORE_* or PRECOMMIT_* callback that fails aborts the operation (its error is the
 * answer); an AFTER_* callback that fails is logged and does not affect the API answer (agent
 * notifiers, the nova notifier).
 */
import type { Logger } from '../../../common/log/logger.js';
import type { Db } from '../db/store.js';
import type { AddressGroup } from '../types/address-group.js';
import type { FloatingIp } from '../types/floating-ip.js';
import type { Network } from '../types/network.js';
import type { Port } from '../types/port.js';
import type { Router } from '../types/router.js';
import type { SecurityGroup, SecurityGroupRule } from '../types/security-group.js';
import type { Subnet } from '../types/subnet.js';
import type { NeutronContext } from './context.js';

export interface Created<T> {
  ctx: NeutronContext;
  current: T;
}

export interface Updated<T> {
  ctx: NeutronContext;
  current: T;
  original: T;
}

/** `current` is the resource as it was before it went away. */
export interface Deleted<T> {
  ctx: NeutronContext;
  current: T;
}

/** A network about to be deleted, before its transaction. */
export interface NetworkDeleting {
  ctx: NeutronContext;
  network: Network;
}

/** A network being deleted, inside the transaction `tx` (its ports are gone already). */
export interface NetworkDeletePrecommit {
  ctx: NeutronContext;
  tx: Db;
  network: Network;
}

/**
 * A port about to be deleted. `l3Check` is upstream's port_check: set when the port API
 * deletes it (routers and floating IPs delete their own ports without it).
 */
export interface PortDeleting {
  ctx: NeutronContext;
  port: Pick<Port, 'id' | 'device_id' | 'device_owner'>;
  l3Check: boolean;
}

/** An interface added to or removed from a router (the interface's port). */
/** A floating IP's port forwardings changed (created, updated or deleted): the routers that serve them. */
export interface PortForwardingChange {
  ctx: NeutronContext;
  routerIds: string[];
}

/** A QoS policy's rules changed: the ports it applies to (their own policy, or their network's). */
export interface QosPolicyChange {
  ctx: NeutronContext;
  policyId: string;
  portIds: string[];
}

export interface RouterInterfaceChange {
  ctx: NeutronContext;
  routerId: string;
  port: Port;
}

interface Lifecycle<T> {
  after_create: Created<T>;
  after_update: Updated<T>;
  after_delete: Deleted<T>;
}

/** Every event published, by resource and event, with its payload. */
export interface NeutronEvents {
  network: Lifecycle<Network> & { before_delete: NetworkDeleting; precommit_delete: NetworkDeletePrecommit };
  subnet: Lifecycle<Subnet>;
  port: Lifecycle<Port> & { before_delete: PortDeleting };
  /** A port's status moved (agents' device up/down reports). */
  port_status: { after_update: Updated<Port> };
  router: Lifecycle<Router>;
  router_interface: { after_create: RouterInterfaceChange; after_delete: RouterInterfaceChange };
  floatingip: Lifecycle<FloatingIp>;
  port_forwarding: { after_change: PortForwardingChange };
  security_group: Lifecycle<SecurityGroup>;
  security_group_rule: { after_create: Created<SecurityGroupRule>; after_delete: Deleted<SecurityGroupRule> };
  qos_policy: { after_update: QosPolicyChange };
  address_group: Lifecycle<AddressGroup>;
}

export type ResourceName = keyof NeutronEvents;
export type EventName<R extends ResourceName> = keyof NeutronEvents[R] & string;
export type Callback<P> = (payload: P) => Promise<void> | void;

/**
 * Order of the callbacks of one event, lower first (neutron_lib.callbacks.priority_group).
 * RELEASE: callbacks that remove what would otherwise block the operation.
 */
export const PRIORITY_RELEASE = 10;
/** Callbacks that may refuse the operation, before those that act on it. */
export const PRIORITY_CHECK = 50;
export const PRIORITY_DEFAULT = 100;

interface Subscription {
  /** Takes the payload of the (resource, event) it is filed under. */
  fn: Callback<never>;
  priority: number;
}

export class EventRegistry {
  private readonly subscriptions = new Map<string, Subscription[]>();

  constructor(private readonly log: Logger) {}

  subscribe<R extends ResourceName, E extends EventName<R>>(resource: R, event: E, fn: Callback<NeutronEvents[R][E]>, priority = PRIORITY_DEFAULT): void {
    const key = `${resource}.${event}`;
    const list = this.subscriptions.get(key) ?? [];
    const at = list.findIndex((s) => s.priority > priority);
    list.splice(at < 0 ? list.length : at, 0, { fn, priority });
    this.subscriptions.set(key, list);
  }

  async publish<R extends ResourceName, E extends EventName<R>>(resource: R, event: E, payload: NeutronEvents[R][E]): Promise<void> {
    const abortable = !event.startsWith('after_');
    for (const { fn } of this.subscriptions.get(`${resource}.${event}`) ?? []) {
      // subscriptions are filed by (resource, event), so `fn` takes this payload
      const call = fn as Callback<NeutronEvents[R][E]>;
      if (abortable) {
        await call(payload);
        continue;
      }
      try {
        await call(payload);
      } catch (err) {
        this.log.error({ err, resource, event }, 'event subscriber failed');
      }
    }
  }
}
