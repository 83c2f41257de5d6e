/**
 * Test support of the Network service: the common harness (src/common/testing) with Neutron's
 * role, its tokens written `<project>:<role>,<role>` (`proj-a:member`,
 * `admin-proj:admin,member,reader`), on SQLite or, with NUBO_TEST_HARNESS_DB_URL (or `serverUrl`),
 * on a fresh PostgreSQL or MariaDB database. For tests only.
 */
import type { ServiceSession } from '../../../common/clients/session.js';
import type { Database } from '../../../common/db/index.js';
import type { Logger } from '../../../common/log/logger.js';
import { startHarness as startProjectHarness, type Harness as ProjectHarness, type InjectResult } from '../../../common/testing/harness.js';
import type { NeutronDB } from '../db/schema.js';
import { neutron, type NetworkServerInstance } from '../index.js';
import type { NetworkService } from '../service.js';

export const ADMIN = 'admin-proj:admin,member,reader';
export const tokenFor = (project: string) => `${project}:member,reader`;

export interface Harness extends ProjectHarness<NetworkServerInstance> {
  service: NetworkService;
  database: Database<NeutronDB>;
  request(method: string, url: string, token: string, body?: unknown, headers?: Record<string, string>): Promise<InjectResult>;
}

export interface HarnessOptions {
  /** postgresql://... or mysql://... to run on that server (a fresh database is created and dropped). */
  serverUrl?: string;
  overrides?: Record<string, string>;
  session?: ServiceSession;
  log?: Logger;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const serverUrl = opts.serverUrl;
  const h = await startProjectHarness<NetworkServerInstance>({
    project: neutron,
    ...(serverUrl ? { serverUrl } : {}),
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
    ...(opts.session ? { session: opts.session } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return { ...h, service: h.instance.service, database: h.db as Database<NeutronDB> };
}
