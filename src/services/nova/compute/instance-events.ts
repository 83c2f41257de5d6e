/**
 * The compute manager's instance events (nova/compute/manager.py InstanceEvents and
 * ComputeVirtAPI.wait_for_instance_event): a driver prepares the events it expects (Neutron's
 * network-vif-plugged for each port), and os-server-external-events routed to this host pop them.
 *
 * Departure from nova: nova registers its waiters just before plugging the VIFs, after the ports
 * were bound, so an event Neutron sends earlier is dropped ("No waiting events found"). With a
 * simulated L2 agent that reports a port up as soon as it is bound, that race is common, so here
 * events for an instance whose build is in progress are kept until the driver waits for them.
 */
import type { Logger } from '../../../common/log/logger.js';
import type { Instance } from '../objects/index.js';
import type { ExpectedEvent, VirtAPI } from '../virt/driver.js';
import type { InstanceExternalEvent } from './rpcapi.js';

interface Waiter {
  resolve(event: InstanceExternalEvent): void;
}

const key = (name: string, tag: string | null): string => `${name}-${tag ?? ''}`;

export class InstanceEvents implements VirtAPI {
  private readonly waiters = new Map<string, Map<string, Waiter>>();
  private readonly early = new Map<string, InstanceExternalEvent[]>();

  constructor(private readonly log: Logger) {}

  /** A build of the instance starts: its events are kept until they are waited for. */
  begin(instanceUuid: string): void {
    if (!this.early.has(instanceUuid)) this.early.set(instanceUuid, []);
  }

  /** The build is over: nothing more is kept or awaited. */
  end(instanceUuid: string): void {
    this.early.delete(instanceUuid);
    this.waiters.delete(instanceUuid);
  }

  /** An external event for an instance of this host; true when a waiter took it or it was kept. */
  pop(event: InstanceExternalEvent): boolean {
    const waiting = this.waiters.get(event.instance_uuid)?.get(key(event.name, event.tag));
    if (waiting) {
      this.waiters.get(event.instance_uuid)!.delete(key(event.name, event.tag));
      waiting.resolve(event);
      return true;
    }
    const kept = this.early.get(event.instance_uuid);
    if (kept) {
      kept.push(event);
      return true;
    }
    this.log.debug({ instance: event.instance_uuid, event: event.name, tag: event.tag }, 'No waiting events found dispatching event');
    return false;
  }

  async waitForInstanceEvents(
    instance: Instance,
    events: readonly ExpectedEvent[],
    deadlineSeconds: number,
    onFailedEvent: (name: string, tag: string) => void,
  ): Promise<'done' | 'timeout'> {
    const uuid = instance.uuid;
    const kept = this.early.get(uuid) ?? [];
    const pending: Array<Promise<InstanceExternalEvent>> = [];
    const mine = this.waiters.get(uuid) ?? new Map<string, Waiter>();
    this.waiters.set(uuid, mine);
    for (const [name, tag] of events) {
      const i = kept.findIndex((e) => e.name === name && e.tag === tag);
      if (i >= 0) {
        pending.push(Promise.resolve(kept.splice(i, 1)[0]!));
        continue;
      }
      pending.push(new Promise<InstanceExternalEvent>((resolve) => mine.set(key(name, tag), { resolve })));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), deadlineSeconds * 1000); });
    try {
      const all = Promise.all(pending.map(async (p) => {
        const event = await p;
        if (event.status === 'failed') onFailedEvent(event.name, event.tag ?? '');
        return event;
      })).then(() => 'done' as const);
      const outcome = await Promise.race([all, timeout]);
      if (outcome === 'timeout') {
        this.log.warn({ instance: uuid, events: events.map(([n, t]) => `${n}-${t}`) }, `Timeout waiting for ${events.map(([n, t]) => `${n}-${t}`).join(', ')} for instance with vm_state ${instance.data.vm_state} and task_state ${instance.data.task_state}`);
      }
      return outcome;
    } finally {
      clearTimeout(timer);
      for (const [name, tag] of events) mine.delete(key(name, tag));
    }
  }
}
