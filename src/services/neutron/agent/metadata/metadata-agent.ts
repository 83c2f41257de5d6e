/**
 * The metadata agent (neutron/agent/metadata/agent.py MetadataProxyHandler and UnixDomainMetadataProxy):
 * an HTTP server on a unix socket that the namespace proxies (ns-proxy.ts) forward guests'
 * requests to. From X-Forwarded-For (the guest's address) and X-Neutron-Router-ID (the
 * networks of the router's interfaces) or X-Neutron-Network-ID, it finds the guest's port over
 * RPC (get_ports on q-plugin), then forwards the request to Nova's metadata API with
 * X-Instance-ID (the port's device_id), X-Tenant-ID (its project) and X-Instance-ID-Signature
 * (HMAC-SHA256 of the instance id with metadata_proxy_shared_secret), and streams the answer
 * back. No port, or several: 404, as upstream. It reports its state as a Metadata agent.
 */
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from '../../../../common/log/logger.js';
import { type MessageContext, RpcClient, type Transport } from '../../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../../common/service/periodic.js';
import { AGENT_TYPE_METADATA, TOPIC_PLUGIN, VERSIONS } from '../../rpc/topics.js';
import type { Port } from '../../types/port.js';
import { StateReporter } from '../state-reporter.js';

export const METADATA_AGENT_BINARY = 'neutron-metadata-agent';

/** The router ports whose networks a router's metadata requests come from (ROUTER_INTERFACE_OWNERS). */
const ROUTER_INTERFACE_OWNERS = ['network:router_interface', 'network:router_interface_distributed', 'network:ha_router_replicated_interface'];

/** MetadataPluginAPI: get_ports with filters. */
export class MetadataPluginApi {
  private readonly client: RpcClient;

  constructor(transport: Transport) {
    this.client = new RpcClient(transport, { topic: TOPIC_PLUGIN, version: VERSIONS.metadataPlugin });
  }

  getPorts(ctx: MessageContext, filters: Record<string, unknown>): Promise<Port[]> {
    return this.client.call(ctx, 'get_ports', { filters });
  }
}

export interface MetadataAgentOptions {
  transport: Transport;
  host: string;
  log: Logger;
  periodic: PeriodicTasks;
  reportInterval: number;
  /** The unix socket the namespace proxies forward to (metadata_proxy_socket). */
  socketPath: string;
  /** Nova's metadata API, e.g. http://127.0.0.1:8880/compute-metadata. */
  novaMetadataUrl: string;
  sharedSecret: string;
}

/** The instance behind a request. */
export interface InstanceOfRequest {
  instanceId: string;
  tenantId: string;
}

export function signInstanceId(secret: string, instanceId: string): string {
  return createHmac('sha256', secret).update(instanceId).digest('hex');
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export class MetadataAgent {
  private server: Server | undefined;
  private readonly plugin: MetadataPluginApi;
  readonly reporter: StateReporter;

  constructor(private readonly o: MetadataAgentOptions) {
    this.plugin = new MetadataPluginApi(o.transport);
    this.reporter = new StateReporter(o.transport, {
      binary: METADATA_AGENT_BINARY, host: o.host, topic: 'N/A', agentType: AGENT_TYPE_METADATA,
      configurations: () => ({ metadata_proxy_socket: o.socketPath, nova_metadata_url: o.novaMetadataUrl, log_agent_heartbeats: false }),
    }, o.reportInterval);
  }

  async start(): Promise<void> {
    rmSync(this.o.socketPath, { force: true });
    const server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.socketPath, () => resolve());
    });
    this.server = server;
    await this.reporter.start(this.o.periodic, (err) => this.o.log.warn({ err }, 'Metadata agent: Failed reporting state! (neutron-server not reachable yet)'));
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections(); });
    rmSync(this.o.socketPath, { force: true });
  }

  /** _get_instance_and_tenant_id: the one port holding the address on the router's networks (or the network). */
  async instanceOf(address: string, routerId: string | undefined, networkId: string | undefined): Promise<InstanceOfRequest | undefined> {
    let networks: string[];
    if (routerId) {
      const ports = await this.plugin.getPorts({}, { device_id: [routerId], device_owner: ROUTER_INTERFACE_OWNERS });
      networks = [...new Set(ports.map((p) => p.network_id))];
    } else {
      networks = networkId ? [networkId] : [];
    }
    if (!networks.length) return undefined;
    const ports = await this.plugin.getPorts({}, { network_id: networks, fixed_ips: { ip_address: [address] } });
    if (ports.length !== 1) {
      if (ports.length > 1) this.o.log.warn({ address, ports: ports.map((p) => p.id) }, 'metadata: several ports hold the address');
      return undefined;
    }
    return { instanceId: ports[0]!.device_id, tenantId: ports[0]!.project_id };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = one(req.headers['x-forwarded-for']);
    const routerId = one(req.headers['x-neutron-router-id']);
    const networkId = one(req.headers['x-neutron-network-id']);
    try {
      if (!address || (!routerId && !networkId)) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('400 Bad Request\n\nX-Forwarded-For and X-Neutron-Router-ID or X-Neutron-Network-ID are required.\n');
        return;
      }
      const found = await this.instanceOf(address, routerId, networkId);
      if (!found) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('404 Not Found\n\nThe resource could not be found.\n');
        return;
      }
      await this.forward(req, res, address, found);
    } catch (err) {
      this.o.log.error({ err, address, routerId, networkId }, 'metadata: unexpected error');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('500 Internal Server Error\n\nAn unknown error has occurred. Please try your request again.\n');
    }
  }

  /** _proxy_request: the request to Nova with the instance headers; Nova's answer as it is. */
  private forward(req: IncomingMessage, res: ServerResponse, address: string, who: InstanceOfRequest): Promise<void> {
    const base = new URL(this.o.novaMetadataUrl);
    const target = new URL(base.pathname.replace(/\/$/, '') + (req.url ?? '/'), base);
    const headers: Record<string, string> = {
      'X-Forwarded-For': address,
      'X-Instance-ID': who.instanceId,
      'X-Tenant-ID': who.tenantId,
      'X-Instance-ID-Signature': signInstanceId(this.o.sharedSecret, who.instanceId),
    };
    for (const h of ['content-type', 'content-length', 'accept']) {
      const v = one(req.headers[h]);
      if (v !== undefined) headers[h] = v;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const up = send(target, { method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, { 'content-type': r.headers['content-type'] ?? 'text/plain' });
        r.pipe(res);
        r.on('end', resolve);
        r.on('error', () => resolve());
      });
      up.on('error', (err) => {
        this.o.log.error({ err, url: target.href }, 'metadata: Nova\'s metadata API is not reachable');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('500 Internal Server Error\n\nRemote metadata server experienced an internal server error.\n');
        resolve();
      });
      req.pipe(up);
    });
  }
}
