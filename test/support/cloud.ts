/**
 * Boots the all-in-one cloud in this process for tests: a temp data dir, a random port,
 * in-process bus, SQLite. `adminToken()` logs in as the cloud's admin.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createLogger, type Logger } from '../../src/common/log/logger.js';
import { startCloud, type RunningCloud } from '../../src/cmd/cloud.js';

export interface TestCloud {
  url: string;
  identityUrl: string;
  dataDir: string;
  adminPassword: string;
  cloud: RunningCloud;
  /** A project-scoped admin token (admin project). */
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

/**
 * `roles`: run only these roles (as `nubo serve`), e.g. to leave an agent out; `dataDir`: start
 * again on the data dir of a cloud stopped with `cloud.close()` (a restart); `log`: the cloud's
 * logger (default: silent, or at NUBO_TEST_LOG's level).
 */
export async function startTestCloud(opts: { services?: string[]; overrides?: Record<string, string>; roles?: string[]; dataDir?: string; log?: Logger } = {}): Promise<TestCloud> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'nubo-test-'));
  const overrides: Record<string, string> = {
    'DEFAULT.bind': '127.0.0.1:0',
    'DEFAULT.data_dir': dataDir,
    'DEFAULT.transport_url': `inproc://${dataDir}`,
    'identity.password_hash_rounds': '4',
    // DevStack's default subnet pool, public/private networks and router1 only where a test asks for them
    'default_networks.use_subnetpool': 'false',
    'default_networks.create_public_network': 'false',
    'default_networks.create_private_network': 'false',
    'default_networks.create_router': 'false',
    ...(opts.services ? { 'DEFAULT.enabled_services': opts.services.join(',') } : {}),
    ...opts.overrides,
  };
  const log = opts.log ?? createLogger({ level: process.env.NUBO_TEST_LOG ?? 'silent' });
  const cloud = await startCloud({ env: {}, overrides, log, ...(opts.roles ? { roles: opts.roles } : {}) });
  if (!cloud.url) throw new Error('the test cloud runs no API');
  const url = cloud.url;
  let token: string | undefined;
  return {
    url,
    identityUrl: cloud.identityUrl.replace(/^http:\/\/[^/]+/, url),
    dataDir,
    adminPassword: cloud.adminPassword,
    cloud,
    async adminToken() {
      if (token) return token;
      const res = await request(`${url}/identity/v3/auth/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: {
          identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: cloud.adminPassword } } },
          scope: { project: { name: 'admin', domain: { id: 'default' } } },
        } }),
      });
      await res.body.dump();
      if (res.statusCode !== 201) throw new Error(`admin login failed: ${res.statusCode}`);
      token = String(res.headers['x-subject-token']);
      return token;
    },
    async close() {
      await cloud.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
