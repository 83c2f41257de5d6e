/**
 * Test harness of object storage: the common harness with the proxy mounted at /object and the
 * three storage servers listening on loopback ports of their own, the rings built on first
 * start (3 devices, 3 replicas, part power 6 unless overridden). `listen()` serves the proxy
 * on a real port too, for streaming tests. For tests only.
 */
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../../../common/testing/harness.js';
import { swift } from '../index.js';
import type { ProxyServer } from '../proxy/server.js';
import { buildProxy, buildStorageServer } from '../service.js';

export interface TestSwift extends Harness {
  proxy: ProxyServer;
  /** Ports of the storage servers. */
  ports: { account: number; container: number; object: number };
  /** Stops one storage server (a node failure) and starts it again on the same port. */
  stopServer(kind: 'account' | 'container' | 'object'): Promise<void>;
  startServer(kind: 'account' | 'container' | 'object'): Promise<void>;
  /** The proxy on a real port: its base URL (http://127.0.0.1:N/object). */
  listen(): Promise<string>;
}

export async function startTestSwift(overrides: Record<string, string> = {}): Promise<TestSwift> {
  const servers = new Map<string, { port: number; stop?: () => Promise<void> }>();
  let proxy!: ProxyServer;
  let context!: Parameters<typeof buildStorageServer>[0];
  const h = await startHarness({
    project: swift,
    role: 'object-proxy',
    overrides: { 'swift.all_in_one_part_power': '6', ...overrides },
    create: async (ctx) => {
      context = ctx;
      for (const kind of ['account', 'container', 'object'] as const) servers.set(kind, await buildStorageServer(ctx, kind));
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
    async stopServer(kind) {
      await servers.get(kind)!.stop?.();
    },
    async startServer(kind) {
      const port = servers.get(kind)!.port;
      const group = `${kind}_server`;
      const cfg = context.config;
      // the same port again, so the ring still points at it
      const original = cfg.get.bind(cfg);
      const patched = { ...context, config: Object.assign(Object.create(cfg), { get: (g: { name: string }) => (g.name === group ? { ...original(g as never), bind_port: port } : original(g as never)) }) };
      servers.set(kind, await buildStorageServer(patched as never, kind));
    },
    async listen() {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/object`;
    },
    async close() {
      for (const s of servers.values()) await s.stop?.();
      await h.close();
    },
  };
}
