/**
 * Test harness of object storage: the common harness with the proxy mounted at /object and the
 * three storage servers listening on loopback ports of their own, the rings built on first
 * start (3 devices, 3 replicas, part power 6 unless overridden). `listen()` serves the proxy
 * on a real port too, for streaming tests. With `daemons`, the consistency daemons' roles are
 * created too (their passes run with `periodic.runNow('swift <daemon>')`). For tests only.
 */
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before } from 'node:test';
import { request } from 'undici';
import { startHarness, type Harness } from '../../../common/testing/harness.js';
import { swift } from '../index.js';
import type { ProxyServer } from '../proxy/server.js';
import { buildDaemonRole, DAEMONS, type DaemonName } from '../daemons/build.js';
import { buildProxy, buildStorageServer } from '../service.js';

export interface TestSwift extends Harness {
  proxy: ProxyServer;
  /** Ports of the storage servers. */
  ports: { account: number; container: number; object: number };
  /** The proxy on a real port: its base URL (http://127.0.0.1:N/object). */
  listen(): Promise<string>;
}

export async function startTestSwift(overrides: Record<string, string> = {}, opts: { daemons?: boolean } = {}): Promise<TestSwift> {
  const servers = new Map<string, { port: number; stop?: () => Promise<void> }>();
  let proxy!: ProxyServer;
  const h = await startHarness({
    project: swift,
    role: 'object-proxy',
    overrides: { 'swift.all_in_one_part_power': '6', ...overrides },
    create: async (ctx) => {
      for (const kind of ['account', 'container', 'object'] as const) servers.set(kind, await buildStorageServer(ctx, kind));
      if (opts.daemons) for (const name of Object.keys(DAEMONS) as DaemonName[]) await buildDaemonRole(ctx, name);
      const built = await buildProxy(ctx);
      proxy = built.proxy;
      return built;
    },
  });
  const ports = () => ({ account: servers.get('account')!.port, container: servers.get('container')!.port, object: servers.get('object')!.port });
  return {
    ...h,
    proxy,
    get ports() { return ports(); },
    async listen() {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/object`;
    },
    async close() {
      // the daemons and updaters first: a pass in flight must not find its databases closed
      await h.periodic.stop();
      for (const s of servers.values()) await s.stop?.();
      await h.close();
    },
  };
}

export interface CallOptions {
  token?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  buf: Buffer;
}

/** A client of the proxy listening at `base()` (tests call it as call(method, path, {token, headers, body})). */
export function proxyClient(base: () => string): (method: string, path: string, opts?: CallOptions) => Promise<CallResult> {
  return async (method, path, opts = {}) => {
    const res = await request(`${base()}${path}`, {
      method: method as 'GET',
      headers: { ...(opts.token !== undefined ? { 'x-auth-token': opts.token } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { body: opts.body } : {}),
    });
    const buf = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, headers: res.headers as Record<string, string>, text: buf.toString('utf8'), buf };
  };
}

/** A test Swift for a test file: started before its tests, listening, stopped after them; `call` reaches its proxy. */
export function swiftForTests(): { readonly sw: TestSwift; readonly base: string; call: ReturnType<typeof proxyClient> } {
  let sw: TestSwift | undefined;
  let base = '';
  before(async () => {
    sw = await startTestSwift();
    base = await sw.listen();
  });
  after(async () => {
    await sw?.close();
  });
  return { get sw() { return sw!; }, get base() { return base; }, call: proxyClient(() => base) };
}
