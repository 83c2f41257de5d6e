/**
 * ComputeClient: Nova's API v2.1 as other services call it: os-server-external-events (how
 * Neutron tells Nova a VIF is plugged, unplugged, deleted or changed; how Cinder tells it a
 * volume grew) and servers show. Microversion 2.1 unless asked otherwise, sent in both
 * OpenStack-API-Version and the legacy X-OpenStack-Nova-API-Version, as novaclient does.
 */
import { seg, ServiceProxy, type ServiceDescription } from './proxy.js';

export type ServerExternalEventName =
  | 'network-changed'
  | 'network-vif-plugged'
  | 'network-vif-unplugged'
  | 'network-vif-deleted'
  | 'volume-extended'
  | 'power-update'
  | 'accelerator-request-bound'
  | 'volume-reimaged';

/** One event of POST /os-server-external-events. */
export interface ServerExternalEvent {
  name: ServerExternalEventName;
  server_uuid: string;
  /** The port id for network events, the volume id for volume-extended. */
  tag?: string;
  status?: 'completed' | 'failed' | 'in-progress';
}

/** An event as Nova answers it: `code` 200 accepted, 404 server unknown, 422 not handled. */
export interface ServerExternalEventResult extends ServerExternalEvent {
  code: number;
}

export interface Server {
  id: string;
  name: string;
  status: string;
  tenant_id: string;
  user_id: string;
  created: string;
  updated: string;
  addresses: Record<string, Array<{ addr: string; version: number; 'OS-EXT-IPS:type'?: string; 'OS-EXT-IPS-MAC:mac_addr'?: string }>>;
  flavor: Record<string, unknown>;
  image: { id: string } | '';
  metadata: Record<string, string>;
  'OS-EXT-SRV-ATTR:host'?: string | null;
  'OS-EXT-STS:vm_state'?: string;
  'OS-EXT-STS:task_state'?: string | null;
  [attribute: string]: unknown;
}

export class ComputeClient extends ServiceProxy {
  protected readonly service: ServiceDescription = {
    types: ['compute'],
    version: 'v2.1',
    microversion: { service: 'compute', legacyHeader: 'x-openstack-nova-api-version', default: '2.1' },
  };

  /**
   * POST /os-server-external-events. Nova answers 200 when it took every event and 207 when
   * some failed (see each result's `code`); when it knows none of the servers it answers 404,
   * thrown as ServiceClientError.
   */
  async createServerExternalEvents(events: readonly ServerExternalEvent[]): Promise<ServerExternalEventResult[]> {
    const res = await this.json<{ events: ServerExternalEventResult[] }>('POST', '/os-server-external-events', {
      body: { events },
      accept: [200, 207],
    });
    return res.body.events ?? [];
  }

  /** GET /servers/{id}. */
  async getServer(id: string, opts: { microversion?: string } = {}): Promise<Server> {
    return (await this.json<{ server: Server }>('GET', `/servers/${seg(id)}`, opts)).body.server;
  }
}
