/**
 * For tests: an all-in-one cloud with identity, image, network, placement and compute in this
 * process (test/support/cloud.ts), an active image and a network with a subnet, and helpers to
 * call the APIs as the admin, wait for a server's status, read Nova's database and hear the
 * versioned notifications.
 */
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { request } from 'undici';
import { openDatabase, parseDatabaseUrl, type Database } from '../../../common/db/index.js';
import { getTransport, NotificationListener, type Transport } from '../../../common/messaging/index.js';
import { startTestCloud, type TestCloud } from '../../../../test/support/cloud.js';
import { nova } from '../index.js';
import { NovaRepos } from '../db/repos.js';
import type { NovaDB } from '../db/schema.js';

export interface Answer {
  status: number;
  body: any;
}

export interface Notification {
  publisherId: string;
  eventType: string;
  payload: any;
}

export class BootCloud {
  imageId = '';
  networkId = '';
  readonly notifications: Notification[] = [];
  repos!: NovaRepos;
  private database!: Database<NovaDB>;
  private transport!: Transport;
  private listener!: NotificationListener;

  private constructor(readonly cloud: TestCloud) {}

  /** `roles`: only these roles run (default: every role of the services). */
  static async start(overrides: Record<string, string> = {}, roles?: string[]): Promise<BootCloud> {
    const cloud = await startTestCloud({
      services: ['identity', 'image', 'network', 'placement', 'compute'],
      overrides: {
        'DEFAULT.vif_plugging_timeout': '5', 'DEFAULT.vif_plugging_is_fatal': 'false',
        // the console proxies (run with the qemu driver) on free loopback ports: tests run side by side
        'vnc.novncproxy_host': '127.0.0.1', 'vnc.novncproxy_port': '0', 'serial_console.serialproxy_host': '127.0.0.1', 'serial_console.serialproxy_port': '0',
        ...overrides,
      },
      ...(roles ? { roles } : {}),
    });
    const b = new BootCloud(cloud);
    try {
      b.database = await openDatabase<NovaDB>(parseDatabaseUrl('sqlite', { service: nova.name, dataDir: cloud.dataDir }));
      b.repos = new NovaRepos(b.database.db as Kysely<NovaDB>);
      b.transport = await getTransport(`inproc://${cloud.dataDir}`);
      b.listener = new NotificationListener(b.transport, [{ topic: 'versioned_notifications' }], [{
        info: (_ctx, publisherId, eventType, payload) => { b.notifications.push({ publisherId, eventType, payload }); },
        error: (_ctx, publisherId, eventType, payload) => { b.notifications.push({ publisherId, eventType, payload }); },
      }]);
      await b.listener.start();
      await b.seed();
    } catch (err) {
      await b.close();
      throw err;
    }
    return b;
  }

  /**
   * A cloud whose ports no L2 agent reports up (every role but Neutron's network-sim-agent):
   * network-vif-plugged comes only when a test sends it (plugVifs) or never.
   */
  static startWithoutL2Agent(overrides: Record<string, string> = {}): Promise<BootCloud> {
    return BootCloud.start(overrides, ['identity', 'image', 'network', 'placement', 'compute-api', 'conductor', 'scheduler', 'compute']);
  }

  /** A request to the cloud as its admin; JSON in and out. */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await request(`${this.cloud.url}${path}`, {
      method: method as 'GET',
      headers: { 'x-auth-token': await this.cloud.adminToken(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: res.statusCode, body: parsed };
  }

  /** A Compute API request at a microversion. */
  compute(method: string, path: string, body?: unknown, version = '2.1'): Promise<Answer> {
    return this.call(method, `/compute/v2.1${path}`, body, { 'openstack-api-version': `compute ${version}` });
  }

  /** An active public image and a network `private` with a subnet, owned by the admin project. */
  private async seed(): Promise<void> {
    const image = await this.call('POST', '/image/v2/images', { name: 'cirros', disk_format: 'raw', container_format: 'bare', visibility: 'public' });
    if (image.status !== 201) throw new Error(`image create: ${image.status} ${JSON.stringify(image.body)}`);
    this.imageId = image.body.id;
    const upload = await request(`${this.cloud.url}/image/v2/images/${this.imageId}/file`, {
      method: 'PUT', headers: { 'x-auth-token': await this.cloud.adminToken(), 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1024, 1),
    });
    await upload.body.dump();
    if (upload.statusCode !== 204) throw new Error(`image upload: ${upload.statusCode}`);
    const existing = (await this.call('GET', '/network/v2.0/networks?name=private')).body.networks;
    if (existing.length === 1) {
      // DevStack's private network ([default_networks], when a test turns it on)
      this.networkId = existing[0].id;
      return;
    }
    const net = await this.call('POST', '/network/v2.0/networks', { network: { name: 'private' } });
    this.networkId = net.body.network.id;
    const subnet = await this.call('POST', '/network/v2.0/subnets', { subnet: { network_id: this.networkId, cidr: '10.0.0.0/24', ip_version: 4, name: 'private-subnet' } });
    if (subnet.status !== 201) throw new Error(`subnet create: ${subnet.status} ${JSON.stringify(subnet.body)}`);
  }

  /** A public Glance image holding the bytes of `file` (qcow2 unless `format` says otherwise); its id. */
  async uploadImage(name: string, file: string, format: Record<string, unknown> = { disk_format: 'qcow2', container_format: 'bare' }): Promise<string> {
    const img = await this.call('POST', '/image/v2/images', { name, visibility: 'public', ...format });
    if (img.status !== 201) throw new Error(`image create: ${img.status} ${JSON.stringify(img.body)}`);
    const put = await request(`${this.cloud.url}/image/v2/images/${img.body.id}/file`, {
      method: 'PUT', headers: { 'x-auth-token': await this.cloud.adminToken(), 'content-type': 'application/octet-stream' }, body: readFileSync(file),
    });
    await put.body.dump();
    if (put.statusCode !== 204) throw new Error(`image upload: ${put.statusCode}`);
    return img.body.id;
  }

  /** POST /servers with the seeded image, m1.tiny and network unless the body says otherwise. */
  async boot(server: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, version = '2.1'): Promise<Answer> {
    return this.compute('POST', '/servers', {
      server: { name: 'vm', imageRef: this.imageId, flavorRef: '1', networks: [{ uuid: this.networkId }], ...server }, ...extra,
    }, version);
  }

  /** Wait until the server's status is one of `statuses` (or it is gone, for 'DELETED'). */
  async waitFor(id: string, statuses: string[], timeoutMs = 20_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let last: Answer | undefined;
    while (Date.now() < deadline) {
      last = await this.compute('GET', `/servers/${id}`, undefined, '2.93');
      if (last.status === 404 && statuses.includes('DELETED')) return undefined;
      if (last.status === 200 && statuses.includes(last.body.server.status)) return last.body.server;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server ${id} did not reach ${statuses.join('/')}: ${JSON.stringify(last?.body)}`);
  }

  /** The ports Neutron has for a server. */
  async ports(serverId: string): Promise<any[]> {
    return (await this.call('GET', `/network/v2.0/ports?device_id=${serverId}`)).body.ports;
  }

  /** What Placement holds for a consumer. */
  async allocations(consumer: string): Promise<Record<string, { resources: Record<string, number> }>> {
    return (await this.call('GET', `/placement/allocations/${consumer}`, undefined, { 'openstack-api-version': 'placement 1.28' })).body.allocations;
  }

  /** Send Neutron's network-vif-plugged for every port of a server, as Neutron does when its agent reports them up. */
  async plugVifs(serverId: string): Promise<Answer> {
    const ports = await this.ports(serverId);
    return this.compute('POST', '/os-server-external-events', {
      events: ports.map((p) => ({ name: 'network-vif-plugged', server_uuid: serverId, tag: p.id, status: 'completed' })),
    });
  }

  /** A token of a new user with `role` on a new project (for tests of what other projects see). */
  async projectUserToken(name: string, role = 'member'): Promise<{ token: string; projectId: string }> {
    const project = await this.call('POST', '/identity/v3/projects', { project: { name: `${name}-project`, domain_id: 'default' } });
    const password = `${name}-secret`;
    const user = await this.call('POST', '/identity/v3/users', { user: { name: `${name}-user`, domain_id: 'default', password } });
    const roles = await this.call('GET', `/identity/v3/roles?name=${role}`);
    const roleId = roles.body.roles[0].id;
    await this.call('PUT', `/identity/v3/projects/${project.body.project.id}/users/${user.body.user.id}/roles/${roleId}`);
    const res = await request(`${this.cloud.url}/identity/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { id: user.body.user.id, password } } },
        scope: { project: { id: project.body.project.id } },
      } }),
    });
    await res.body.dump();
    if (res.statusCode !== 201) throw new Error(`login of ${name}: ${res.statusCode}`);
    return { token: String(res.headers['x-subject-token']), projectId: project.body.project.id };
  }

  /** A Compute API request with another token. */
  computeAs(token: string, method: string, path: string, body?: unknown, version = '2.1'): Promise<Answer> {
    return this.call(method, `/compute/v2.1${path}`, body, { 'openstack-api-version': `compute ${version}`, 'x-auth-token': token });
  }

  async close(): Promise<void> {
    await this.listener?.stop().catch(() => undefined);
    await this.transport?.close().catch(() => undefined);
    await this.database?.close().catch(() => undefined);
    await this.cloud.close();
  }
}
