/**
 * Test support: the resource-side routes on an in-process HTTP app (app.inject), with a fake
 * token validator: the token string names a TokenInfo registered by the test.
 */
import type { FastifyInstance } from 'fastify';
import type { TokenInfo, TokenValidator } from '../../../common/auth/token-info.js';
import { Unauthorized } from '../../../common/errors.js';
import { createHttpApp } from '../../../common/http/app.js';
import { keystoneFault } from '../api/fault.js';
import { mountService } from '../../../common/http/service-mount.js';
import { createLogger } from '../../../common/log/logger.js';
import { registerResourceRoutes } from '../api/resource-routes.js';
import { defaultKeystonePolicy } from '../policies/enforcer.js';
import { makeDomain, resourceFixture, type ResourceFixture } from './resource-fixture.js';

export const BASE_URL = 'http://keystone.test/identity';

export interface ApiFixture extends ResourceFixture {
  app: FastifyInstance;
  tokens: Map<string, TokenInfo>;
  /** Registers a token for a user with roles (project, domain or system scope). */
  token(name: string, info: Partial<TokenInfo> & { userId: string; roles: string[] }): string;
  /** An inject shortcut: method, path (below /identity), token, body. */
  call(method: string, path: string, token?: string, payload?: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export async function apiFixture(overrides: Parameters<typeof resourceFixture>[0] = {}): Promise<ApiFixture> {
  const f = await resourceFixture(overrides);
  await makeDomain(f.m);
  const tokens = new Map<string, TokenInfo>();
  const validator: TokenValidator = {
    async validate(token) {
      const info = tokens.get(token);
      if (!info) throw new Unauthorized();
      return info;
    },
  };
  const app = createHttpApp({ log: createLogger({ level: 'silent' }), bodyLimit: 1 << 20, keepAliveTimeout: 5000 });
  const policy = defaultKeystonePolicy({ enforceScope: false, enforceNewDefaults: false });
  await mountService(app, async (scope) => {
    await registerResourceRoutes(scope, { managers: f.m, policy, config: f.config, baseUrl: BASE_URL });
  }, { prefix: '/identity', fault: keystoneFault, validator, authUri: BASE_URL });
  await app.ready();
  return {
    ...f,
    app,
    tokens,
    token(name, info) {
      tokens.set(name, {
        userName: info.userId, userDomainId: 'default', userDomainName: 'Default', system: false, roleIds: info.roles,
        methods: ['password'], expiresAt: '2099-01-01T00:00:00Z', issuedAt: '2020-01-01T00:00:00Z', auditIds: [], isAdminProject: false,
        ...info,
      });
      return name;
    },
    async call(method, path, token, payload) {
      const res = await app.inject({
        method: method as 'GET',
        url: `/identity${path}`,
        headers: { ...(token ? { 'x-auth-token': token } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
      });
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
    },
    async close() {
      await app.close();
      await f.close();
    },
  };
}
