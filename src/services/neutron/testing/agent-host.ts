/**
 * One agent host for the L3 data-plane tests: admin API calls that must succeed, the host's
 * namespace with the underlay of VXLAN (one host: no remote endpoint), and the host's L3 agent
 * (state under the test's directory, resync and process checks every second). Test support only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Logger } from '../../../common/log/logger.js';
import type { PeriodicTasks } from '../../../common/service/periodic.js';
import { IpAddr } from '../agent/linux/ip-addr.js';
import { IpLink } from '../agent/linux/ip-link.js';
import { ensureNamespace } from '../agent/linux/netns.js';
import { L3Agent } from '../agent/l3/l3-agent.js';
import { ADMIN, type Harness } from './harness.js';

export type JsonRecord = Record<string, any>;

/** The VXLAN local IP of the test host. */
export const UNDERLAY_IP = '198.51.100.1';

export interface AdminApi {
  get(path: string): Promise<JsonRecord>;
  /** The call as admin, asserted to succeed: the response body. */
  ok(method: string, path: string, body?: unknown): Promise<JsonRecord>;
}

/** Admin calls on the harness `harness()` gives at the time of the call. */
export function adminApi(harness: () => Harness): AdminApi {
  return {
    get: async (path) => (await harness().request('GET', path, ADMIN)).body,
    ok: async (method, path, body) => {
      const res = await harness().request(method, path, ADMIN, body);
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
  };
}

/** The host's namespace with a veth ul0/ul1 holding the underlay address. */
export async function startHostNamespace(hostNs: string): Promise<void> {
  await ensureNamespace(hostNs);
  const link = new IpLink(hostNs);
  await link.addVeth('ul0', 'ul1');
  await new IpAddr(hostNs).add(`${UNDERLAY_IP}/24`, 'ul0');
  for (const l of ['ul0', 'ul1']) await link.setUp(l);
}

export interface TestL3AgentOptions {
  h: Harness;
  host: string;
  hostNs: string;
  /** The test's directory: the agent's state goes into `l3`, the metadata socket is `mp.sock`. */
  dir: string;
  periodic: PeriodicTasks;
  log: Logger;
  metadata: boolean;
}

export function testL3Agent(o: TestL3AgentOptions): L3Agent {
  return new L3Agent({
    transport: o.h.transport, host: o.host, log: o.log, periodic: o.periodic, reportInterval: 30, availabilityZone: 'nova', hostNamespace: o.hostNs,
    stateDir: join(o.dir, 'l3'), resyncInterval: 1, checkChildProcessesInterval: 1, metadata: { enabled: o.metadata, socketPath: join(o.dir, 'mp.sock') },
    radvd: { binary: 'radvd', user: '', minInterval: 30, maxInterval: 100 },
  });
}
