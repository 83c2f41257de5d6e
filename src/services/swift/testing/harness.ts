/**
 * Test harness of object storage: the common harness with the proxy mounted at /object and the
 * three storage servers listening on loopback ports of their own, the rings built on first
 * start (3 devices, 3 replicas, part power 6 unless overridden). `listen()` serves the proxy
 * on a real port too, for streaming tests. With `daemons`, the consistency daemons' roles are
 * created too (their passes run with `periodic.runNow('swift <daemon>')`). For tests only.
 */
import type { AddressInfo } from 'node:net';
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
      for (const s of servers.values()) await s.stop?.();
      await h.close();
    },
  };
}
