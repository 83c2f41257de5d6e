/**
 * Test support for the token side: the managers (resourceFixture) bootstrapped as a cloud
 * would be (Default domain, admin, roles, a catalog), the token side over them with a temp
 * Fernet key repository, and every identity route mounted at /identity on an HTTP app for
 * app.inject, as service.ts composes them. Helpers log in and call the API. With an audit,
 * notifications go where it sends them (as the service wires its IdentityNotifier).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createHttpApp } from '../../../common/http/app.js';
import { mountService } from '../../../common/http/service-mount.js';
import { createLogger } from '../../../common/log/logger.js';
import { identityFault } from '../api/fault.js';
import { bootstrapIdentity } from '../bootstrap.js';
import { defaultKeystonePolicy } from '../policies/enforcer.js';
import type { ResourceProviders } from '../resource-providers.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { RequestLane } from '../../../common/http/request-lanes.js';
import { createApi, createTokenSide, type TokenSide } from '../service.js';
import { TEST_DIALECTS, type TestDialect } from '../../../common/db/testing/dialects.js';
import { resourceFixture, type ResourceFixture } from './resource-fixture.js';

export const BASE_URL = 'http://localhost/identity';
export const ADMIN_PASSWORD = 'admin-secret';

export interface AuthFixture {
  app: FastifyInstance;
  side: TokenSide;
  res: ResourceFixture;
  providers: ResourceProviders;
  adminUserId: string;
  adminProjectId: string;
  roles: Record<'admin' | 'member' | 'reader' | 'manager' | 'service', string>;
  /** The request lanes mounted in front of the routes (by path below /identity); app.inject() does not take them. */
  lanes: Record<string, RequestLane>;
  /** POST /v3/auth/tokens with this auth body. */
  issue(auth: unknown, query?: string): Promise<LightMyRequestResponse>;
  /** A token id for a user by name/password, optionally scoped; fails the test when not 201. */
  login(user: string, password: string, scope?: unknown): Promise<string>;
  adminToken(): Promise<string>;
  /** A request to the identity service with a token. */
  call(token: string, opts: InjectOptions & { url: string }): Promise<LightMyRequestResponse>;
  /** A user with a password and (optionally) roles on a project. */
  makeUser(name: string, password: string, grants?: Array<{ role: string; projectId?: string; domainId?: string; system?: boolean }>): Promise<string>;
  makeProject(name: string, domainId?: string): Promise<string>;
  close(): Promise<void>;
}

export function passwordAuth(user: string, password: string, scope?: unknown): Record<string, unknown> {
  return {
    identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
    ...(scope !== undefined ? { scope } : {}),
  };
}

export async function authFixture(
  overrides: Record<string, string> = {},
  dialect: TestDialect = TEST_DIALECTS[0]!,
  opts: { audit?: IdentityAudit } = {},
): Promise<AuthFixture> {
  const res = await resourceFixture({}, dialect, { ...opts, authOverrides: overrides });
  const { m, authConfig: config } = res;
  await bootstrapIdentity(m, {
    adminUsername: 'admin', adminPassword: ADMIN_PASSWORD, adminProjectName: 'admin', region: 'RegionOne',
    catalog: [{ serviceType: 'identity', serviceName: 'keystone', description: 'Identity', url: `${BASE_URL}/v3` }],
    serviceUsers: [],
  });
  const keyRoot = mkdtempSync(join(tmpdir(), 'nubo-auth-'));
  const side = await createTokenSide(m, {
    authConfig: config, keyDir: join(keyRoot, 'fernet-keys'), events: res.events, ...(opts.audit ? { audit: opts.audit } : {}),
  });
  const { providers } = side;
  const policy = defaultKeystonePolicy({ enforceScope: false, enforceNewDefaults: false });
  const app = createHttpApp({ log: createLogger({ level: 'silent' }), bodyLimit: 1 << 20, keepAliveTimeout: 1000 });
  const api = createApi(m, side, { config: res.config, authConfig: config, policy, baseUrl: BASE_URL });
  await mountService(app, api.routes, {
    prefix: '/identity', fault: identityFault, validator: side.validator, authUri: BASE_URL, lanes: api.lanes,
  });
  await app.ready();

  const roleId = async (name: string): Promise<string> => (await m.roles.findGlobalRoleByName(name))!.id;
  const roles = {
    admin: await roleId('admin'), member: await roleId('member'), reader: await roleId('reader'),
    manager: await roleId('manager'), service: await roleId('service'),
  };
  const adminUserId = (await m.identity.findUserByName('admin', 'default'))!.id;
  const adminProjectId = (await m.resource.findProjectByName('admin', 'default'))!.id;

  const f: AuthFixture = {
    app, side, res, providers, adminUserId, adminProjectId, roles, lanes: api.lanes,
    issue: (auth, query = '') => app.inject({ method: 'POST', url: `/identity/v3/auth/tokens${query}`, payload: { auth } }),
    async login(user, password, scope) {
      const r = await f.issue(passwordAuth(user, password, scope));
      if (r.statusCode !== 201) throw new Error(`login ${user} failed: ${r.statusCode} ${r.body}`);
      return String(r.headers['x-subject-token']);
    },
    adminToken: () => f.login('admin', ADMIN_PASSWORD, { project: { name: 'admin', domain: { id: 'default' } } }),
    call: (token, opts) => app.inject({ ...opts, headers: { ...(opts.headers ?? {}), 'x-auth-token': token } }),
    async makeUser(name, password, grants = []) {
      const u = await m.identity.createUser({ name, password, domain_id: 'default', enabled: true });
      for (const g of grants) {
        const rid = roles[g.role as keyof typeof roles] ?? g.role;
        if (g.system) await m.assignments.createSystemGrant({ userId: u.id }, rid);
        else await m.assignments.createGrant({ roleId: rid, userId: u.id, ...(g.projectId ? { projectId: g.projectId } : {}), ...(g.domainId ? { domainId: g.domainId } : {}) });
      }
      return u.id;
    },
    async makeProject(name, domainId = 'default') {
      return (await m.resource.createProject(randomUUID().replaceAll('-', ''), { name, domain_id: domainId, parent_id: domainId })).id;
    },
    async close() {
      await app.close();
      await res.close();
      rmSync(keyRoot, { recursive: true, force: true });
    },
  };
  return f;
}
