/**
 * The nova notifier (neutron/notifiers/nova.py): tells compute about its instances' ports
 * through `POST /v2.1/os-server-external-events` on the catalog's compute endpoint, batched
 * every `[DEFAULT] send_events_interval` seconds:
 *  - network-vif-plugged (completed / failed) when a compute port goes DOWN -> ACTIVE / ERROR,
 *  - network-vif-unplugged when it goes ACTIVE -> DOWN,
 *  - network-vif-deleted when it is deleted,
 *  - network-changed when its addresses or floating IPs change (notify_nova_on_port_data_changes).
 * Without a compute endpoint in the catalog it logs once and drops the events.
 */
import { ComputeClient, type ServerExternalEvent } from '../../../common/clients/compute.js';
import { ServiceClientError, type ServiceSession } from '../../../common/clients/session.js';
import type { Logger } from '../../../common/log/logger.js';
import { isUuid } from '../common/attributes.js';
import type { EventRegistry } from '../common/events.js';
import type { FloatingIp } from '../types/floating-ip.js';
import type { Port } from '../types/port.js';
import { BatchNotifier } from './batch.js';

export const VIF_PLUGGED = 'network-vif-plugged';
export const VIF_UNPLUGGED = 'network-vif-unplugged';
export const VIF_DELETED = 'network-vif-deleted';
export const NETWORK_CHANGED = 'network-changed';

const STATUS_MAP = new Map<string, ServerExternalEvent['status']>([['ACTIVE', 'completed'], ['ERROR', 'failed'], ['DOWN', 'completed']]);

export type { ServerExternalEvent };

export interface NovaNotifierOptions {
  session: ServiceSession;
  log: Logger;
  intervalSeconds: number;
  notifyStatusChanges: boolean;
  notifyDataChanges: boolean;
  /** Looks a port up (for floating IP events, which only carry the port id). */
  getPort(portId: string): Promise<InstancePort | undefined>;
}

/** What the notifier reads of a port: whose instance it is. */
export type InstancePort = Pick<Port, 'id' | 'device_id' | 'device_owner'>;

export function isComputePort(port: InstancePort | undefined): port is InstancePort {
  return Boolean(port && isUuid(port.device_id) && port.device_owner.startsWith('compute:'));
}

export class NovaNotifier {
  private readonly batch: BatchNotifier<ServerExternalEvent>;
  private readonly nova: ComputeClient;
  private missingEndpointLogged = false;

  constructor(private readonly o: NovaNotifierOptions) {
    this.nova = new ComputeClient(o.session);
    this.batch = new BatchNotifier(o.intervalSeconds * 1000, (events) => this.send(events));
  }

  /** The event for a port status transition (record_port_status_changed), if nova cares. */
  static statusEvent(port: InstancePort, previous: string, current: string): ServerExternalEvent | undefined {
    if (!isComputePort(port)) return undefined;
    let name: ServerExternalEvent['name'];
    if (previous === 'ACTIVE' && current === 'DOWN') name = VIF_UNPLUGGED;
    else if (['DOWN', 'BUILD', ''].includes(previous) && ['ACTIVE', 'ERROR'].includes(current)) name = VIF_PLUGGED;
    else return undefined;
    return { server_uuid: port.device_id, name, status: STATUS_MAP.get(current) ?? 'completed', tag: port.id };
  }

  /** The events nova hears about: port status changes, port deletes and address changes, floating IPs. */
  subscribe(events: EventRegistry): void {
    events.subscribe('port_status', 'after_update', ({ current, original }) => this.portStatusChanged(current, original.status));
    events.subscribe('port', 'after_delete', ({ current }) => this.portDeleted(current));
    events.subscribe('port', 'after_update', ({ current, original }) => this.portUpdated(current, original));
    events.subscribe('floatingip', 'after_create', ({ current }) => this.floatingIpChanged(current));
    events.subscribe('floatingip', 'after_update', ({ current, original }) => this.floatingIpChanged(current, original));
    events.subscribe('floatingip', 'after_delete', ({ current }) => this.floatingIpChanged(current));
  }

  portStatusChanged(port: InstancePort & Pick<Port, 'status'>, previous: string): void {
    if (!this.o.notifyStatusChanges) return;
    const event = NovaNotifier.statusEvent(port, previous, port.status);
    if (event) this.queue(event);
  }

  portDeleted(port: InstancePort): void {
    if (!this.o.notifyDataChanges || !isComputePort(port)) return;
    this.queue({ server_uuid: port.device_id, name: VIF_DELETED, tag: port.id });
  }

  /** A port's addresses changed. */
  portUpdated(current: InstancePort & Pick<Port, 'fixed_ips'>, original: Pick<Port, 'fixed_ips'>): void {
    if (!this.o.notifyDataChanges) return;
    if (JSON.stringify(original.fixed_ips) !== JSON.stringify(current.fixed_ips) && isComputePort(current)) {
      this.queue({ server_uuid: current.device_id, name: NETWORK_CHANGED, tag: current.id });
    }
  }

  /** A floating IP was created, deleted, or moved: the instances of its ports before and after hear about it. */
  async floatingIpChanged(current: Pick<FloatingIp, 'port_id'>, original?: Pick<FloatingIp, 'port_id'>): Promise<void> {
    if (!this.o.notifyDataChanges) return;
    if (original && original.port_id === current.port_id) return;
    const ports = new Set<string>();
    if (current.port_id) ports.add(current.port_id);
    if (original?.port_id) ports.add(original.port_id);
    for (const id of ports) {
      const port = await this.o.getPort(id);
      if (isComputePort(port)) this.queue({ server_uuid: port.device_id, name: NETWORK_CHANGED, tag: port.id });
    }
  }

  queue(event: ServerExternalEvent | undefined): void {
    this.batch.queue(event);
  }

  flush(): Promise<void> {
    return this.batch.flush();
  }

  close(): Promise<void> {
    return this.batch.close();
  }

  private async send(events: ServerExternalEvent[]): Promise<void> {
    if (!(await this.o.session.hasEndpoint('compute').catch(() => false))) {
      if (!this.missingEndpointLogged) {
        this.missingEndpointLogged = true;
        this.o.log.warn('no compute endpoint in the catalog: nova notifications are dropped');
      }
      return;
    }
    try {
      const results = await this.nova.createServerExternalEvents(events);
      for (const ev of results) {
        if (ev.code !== 200) this.o.log.warn({ event: ev }, 'nova event response with error');
      }
      this.o.log.debug({ events }, 'nova notified');
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 404) this.o.log.debug({ events }, 'nova returned NotFound for events');
      else this.o.log.error({ err, events }, 'failed to notify nova on events');
    }
  }
}
