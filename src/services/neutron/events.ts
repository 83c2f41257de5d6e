/**
 * In-process callbacks after a change is committed (neutron_lib.callbacks registry, AFTER_*
 * events): the agent notifiers, the nova notifier and the mechanism drivers' postcommit work
 * subscribe here instead of being called by every manager. Subscribers run in order; a
 * failing subscriber is logged and does not affect the API answer.
 */
import type { Logger } from '../../common/log/logger.js';
import type { NeutronContext } from './context.js';

export type Dict = Record<string, unknown>;

export type ResourceEvent =
  | { resource: 'network' | 'subnet' | 'port' | 'router' | 'floatingip' | 'security_group' | 'security_group_rule'; action: 'create' | 'update' | 'delete'; ctx: NeutronContext; current: Dict; original?: Dict }
  | { resource: 'router_interface'; action: 'create' | 'delete'; ctx: NeutronContext; current: Dict; routerId: string }
  | { resource: 'port_status'; action: 'update'; ctx: NeutronContext; current: Dict; original: Dict };

export type Subscriber = (event: ResourceEvent) => Promise<void> | void;

export class EventBus {
  private readonly subscribers: Subscriber[] = [];

  constructor(private readonly log: Logger) {}

  subscribe(fn: Subscriber): void {
    this.subscribers.push(fn);
  }

  async publish(event: ResourceEvent): Promise<void> {
    for (const fn of this.subscribers) {
      try {
        await fn(event);
      } catch (err) {
        this.log.error({ err, resource: event.resource, action: event.action }, 'event subscriber failed');
      }
    }
  }
}
