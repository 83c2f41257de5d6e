/**
 * The composition of the identity service (Keystone v3): each subsystem's Manager over the
 * driver its `[<group>] driver` option names (the registries in <subsystem>/backends/registry.ts), each
 * given the few managers it depends on; the token side (Fernet keys, token provider, in-process
 * validator, authenticator); the routes; the notifications on the message bus (rpc/); and the
 * bootstrap of the cloud. `createKeystone` is what the identity ServicePlugin (index.ts)
 * creates; `createManagers`, `createTokenSide` and `createApi` are its steps, which the test
 * fixtures (testing/) reuse.
 */
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { RequestLane } from '../../common/http/request-lanes.js';
import type { RoleContext, RoleInstance } from '../../common/service/project.js';
import { loadServicePolicy, type ServicePolicy } from '../../common/policy/index.js';
import type { Logger } from '../../common/log/logger.js';
import type { AuthApiDeps, Authorize } from './api/auth-deps.js';
import { tokenBodyRenderer } from './api/auth.js';
import { resourceViews } from './api/resource-views.js';
import { identityRoutes } from './api/routes.js';
import { validateTokenLane } from './api/validate-lane.js';
import { applicationCredentialDrivers } from './application_credential/backends/registry.js';
import { AppCredManager } from './application_credential/core.js';
import { assignmentDrivers } from './assignment/backends/registry.js';
import { AssignmentManager } from './assignment/core.js';
import { roleDrivers } from './assignment/role_backends/registry.js';
import { RoleManager } from './assignment/roles.js';
import { authConfigFrom, fernetKeyDir, type AuthConfig } from './auth-config.js';
import { Authenticator } from './auth/authenticate.js';
import { CatalogCache } from './auth/catalog-cache.js';
import { subscribeValidatorCache } from './auth/subscriptions.js';
import { bootstrapIdentity } from './bootstrap.js';
import { catalogDrivers } from './catalog/backends/registry.js';
import { CatalogManager } from './catalog/core.js';
import { resourceConfigFrom, type ResourceConfig } from './config.js';
import { credentialDrivers } from './credential/backends/registry.js';
import { clearCipher, fileKeyCipher } from './credential/cipher.js';
import { CredentialManager } from './credential/core.js';
import { Ec2TokenAuthenticator } from './credential/ec2-auth.js';
import { endpointFilterDrivers } from './endpoint_filter/backends/registry.js';
import { endpointPolicyDrivers } from './endpoint_policy/backends/registry.js';
import { EndpointFilterManager } from './endpoint_filter/core.js';
import { EndpointPolicyManager } from './endpoint_policy/core.js';
import { identityDrivers } from './identity/backends/registry.js';
import { IdentityManager } from './identity/core.js';
import type { DriverContext, DriverRegistry } from './lib/drivers.js';
import { Hints } from './lib/hints.js';
import { unifiedLimitDrivers } from './limit/backends/registry.js';
import { LimitManager } from './limit/core.js';
import type { KeystoneManagers } from './managers.js';
import { oauth1Drivers } from './oauth1/backends/registry.js';
import { ConsumerManager } from './oauth1/core.js';
import { enforceCall, enforceCallRemembered, keystonePolicyOptions } from './policies/enforcer.js';
import { keystonePolicySpec } from './policies/spec.js';
import { policyDrivers } from './policy/backends/registry.js';
import { PolicyBlobManager } from './policy/core.js';
import { KeystoneEvents } from './events.js';
import { ResourceProviders } from './resource-providers.js';
import { domainConfigDrivers } from './resource/config_backends/registry.js';
import { resourceDrivers } from './resource/backends/registry.js';
import { ResourceManager } from './resource/core.js';
import { DomainConfigManager } from './resource/domain-configs.js';
import { revokeDrivers } from './revoke/backends/registry.js';
import { RevokeManager } from './revoke/core.js';
import { IdentityNotifier, silentAudit, type IdentityAudit } from './rpc/audit.js';
import { notificationConfigFrom } from './rpc/options.js';
import { fanOutTokenInvalidations } from './rpc/token-cache-fanout.js';
import { TokenFormatter } from './token/formatter.js';
import { initializeKeyRepository, KeyRepository } from './token/key-repository.js';
import { TokenProvider } from './token/provider.js';
import { trustDrivers } from './trust/backends/registry.js';
import { TrustManager } from './trust/core.js';
import { IdentityTokenValidator } from './validator.js';

/** The driver registry of each subsystem. */
export const DRIVERS = {
  resource: resourceDrivers,
  domainConfig: domainConfigDrivers,
  identity: identityDrivers,
  role: roleDrivers,
  assignment: assignmentDrivers,
  endpointFilter: endpointFilterDrivers,
  endpointPolicy: endpointPolicyDrivers,
  catalog: catalogDrivers,
  credential: credentialDrivers,
  unifiedLimit: unifiedLimitDrivers,
  policy: policyDrivers,
  oauth1: oauth1Drivers,
  revoke: revokeDrivers,
  applicationCredential: applicationCredentialDrivers,
  trust: trustDrivers,
};

export type DriverRegistries = typeof DRIVERS;

export interface ManagerOptions {
  /** Keystone's database. */
  db: Kysely<any>;
  config: ResourceConfig;
  authConfig: AuthConfig;
  events: KeystoneEvents;
  /** Notifications on the message bus; none are sent without it. */
  audit?: IdentityAudit;
  log: Logger;
  /**
   * The data directory: the credential encryption key ([credential] encrypt; blobs are stored
   * in clear without it) and the identity sql driver's password-check cache live there.
   */
  dataDir?: string;
  /** Registries replacing the built-in ones (out-of-tree drivers, tests). */
  drivers?: Partial<DriverRegistries>;
}

/**
 * Every manager over the driver its config names (an unknown name is an OperatorError). The
 * order is the order of dependencies, and so the order in which each manager's callbacks hear
 * an event.
 */
export function createManagers(o: ManagerOptions): KeystoneManagers {
  const c = o.config;
  const ctx: DriverContext = { db: o.db, config: c, log: o.log, ...(o.dataDir ? { dataDir: o.dataDir } : {}) };
  const registries = { ...DRIVERS, ...o.drivers };
  const driver = <D>(registry: DriverRegistry<D>, name: string): D => registry.create(name, ctx);
  const { events, log } = o;
  const audit = o.audit ?? silentAudit;
  const ac = o.authConfig;

  const domainConfigs = new DomainConfigManager(driver(registries.domainConfig, c.domainConfig.driver), c);
  const resource = new ResourceManager(driver(registries.resource, c.resource.driver), { config: c, domainConfigs, events, audit });
  const identity = new IdentityManager(driver(registries.identity, c.identity.driver), { resource, compliance: c.securityCompliance, events, audit, log });
  const roles = new RoleManager(driver(registries.role, c.role.driver), { resource, config: c.assignment, events, audit });
  const assignments = new AssignmentManager(driver(registries.assignment, c.assignment.driver), { identity, resource, roles, events, audit });
  const endpointFilter = new EndpointFilterManager(driver(registries.endpointFilter, c.endpointFilter.driver), { resource, events });
  const catalog = new CatalogManager(driver(registries.catalog, c.catalog.driver), { endpointFilter, audit, events });
  const cipher = c.credential.encrypt && o.dataDir ? fileKeyCipher(join(o.dataDir, 'keystone-credential-key')) : clearCipher;
  const credentials = new CredentialManager(driver(registries.credential, c.credential.driver), { cipher, config: c.credential, events, audit });
  const limits = new LimitManager(driver(registries.unifiedLimit, c.unifiedLimit.driver), { catalog, resource, config: c.unifiedLimit, events, audit });
  const policies = new PolicyBlobManager(driver(registries.policy, c.policy.driver), { audit, events });
  const endpointPolicy = new EndpointPolicyManager(driver(registries.endpointPolicy, c.endpointPolicy.driver), { catalog, policies, events });
  const consumers = new ConsumerManager(driver(registries.oauth1, c.oauth1.driver), { audit });
  const revoke = new RevokeManager(driver(registries.revoke, ac.revoke.driver), {
    retentionSeconds: ac.token.expiration + ac.revoke.expiration_buffer, events,
  });
  const appCreds = new AppCredManager(driver(registries.applicationCredential, ac.applicationCredential.driver), {
    userLimit: ac.applicationCredential.user_limit, roles: new ResourceProviders({ identity, resource, assignments, roles, catalog }), events, audit,
  });
  const trusts = new TrustManager(driver(registries.trust, ac.trust.driver), {
    maxRedelegationCount: ac.trust.max_redelegation_count, identity, events, audit,
  });
  return { resource, domainConfigs, identity, roles, assignments, endpointFilter, catalog, credentials, limits, policies, endpointPolicy, consumers, revoke, appCreds, trusts };
}

/** The token side: Fernet keys, token provider, in-process validator and authenticator. */
export interface TokenSide {
  keys: KeyRepository;
  providers: ResourceProviders;
  tokens: TokenProvider;
  validator: IdentityTokenValidator;
  authenticator: Authenticator;
}

export interface TokenSideOptions {
  authConfig: AuthConfig;
  /** The Fernet key directory (see fernetKeyDir). */
  keyDir: string;
  /** [resource] admin_project_name / admin_project_domain_name when both are set. */
  adminProject?: { name: string; domainName: string };
  events: KeystoneEvents;
  /** Notifications on the message bus (token cache invalidations for other services); none without it. */
  audit?: IdentityAudit;
}

/**
 * The Fernet key repository (created on first start), the revocation events loaded, the token
 * provider, validator and authenticator; the validator's cache follows the managers' events,
 * and the changes that invalidate tokens are announced on the bus (rpc/token-cache-fanout.ts).
 */
export async function createTokenSide(m: KeystoneManagers, o: TokenSideOptions): Promise<TokenSide> {
  const c = o.authConfig;
  const audit = o.audit ?? silentAudit;
  initializeKeyRepository(o.keyDir, c.fernetTokens.max_active_keys);
  const keys = new KeyRepository(o.keyDir);
  keys.current();
  await m.revoke.load();
  const providers = new ResourceProviders(m, audit);
  const tokens = new TokenProvider({
    formatter: new TokenFormatter(keys), providers, revoke: m.revoke, trusts: m.trusts, appCreds: m.appCreds, expiration: c.token.expiration,
  });
  const validator = new IdentityTokenValidator(tokens, m.revoke, {
    cacheSize: c.token.cache_size,
    cacheSeconds: c.token.cache_time,
    allowExpiredWindow: c.token.allow_expired_window,
    ...(o.adminProject ? { adminProject: o.adminProject } : {}),
  });
  const authenticator = new Authenticator({
    providers, tokens, validator, trusts: m.trusts, appCreds: m.appCreds,
    allowRescopeScopedToken: c.token.allow_rescope_scoped_token,
    defaultProjectId: async (user) => (await m.identity.findUser(user.id))?.default_project_id ?? null,
  });
  subscribeValidatorCache(o.events, validator);
  fanOutTokenInvalidations(o.events, m.revoke, audit);
  return { keys, providers, tokens, validator, authenticator };
}

export interface RouteOptions {
  config: ResourceConfig;
  authConfig: AuthConfig;
  policy: ServicePolicy;
  /** Public identity URL without the version. */
  baseUrl: string;
  adminProject?: { name: string; domainName: string };
}

/** The identity API: every route, and the lane of token validation (api/validate-lane.ts), built with the same deps. */
export interface IdentityApi {
  routes: FastifyPluginAsync;
  /** Request lanes by path below the service's prefix. */
  lanes: Record<string, RequestLane>;
}

export function createApi(m: KeystoneManagers, side: TokenSide, o: RouteOptions): IdentityApi {
  const authorize: Authorize = (req, action, input = {}) => {
    const params = input.params ?? (req.params as Record<string, unknown>);
    if (input.remember !== undefined && input.target && isEmpty(params) && isEmpty(req.body)) {
      return enforceCallRemembered(o.policy, req.ctx, action, input.target, input.remember);
    }
    enforceCall(o.policy, req.ctx, action, { params, ...(input.target ? { target: input.target } : {}), body: req.body });
  };
  const render = o.adminProject ? { adminProject: o.adminProject } : {};
  const catalogCache = new CatalogCache((projectId, userId) => side.providers.catalog(projectId, userId));
  const deps: AuthApiDeps = {
    authenticator: side.authenticator,
    tokens: side.tokens,
    validator: side.validator,
    revoke: m.revoke,
    trusts: m.trusts,
    appCreds: m.appCreds,
    providers: side.providers,
    authorize,
    views: resourceViews(m, o.baseUrl),
    baseUrl: o.baseUrl,
    render,
    tokenBody: tokenBodyRenderer({ render, catalogCache }),
    allowExpiredWindow: o.authConfig.token.allow_expired_window,
    allowRedelegation: o.authConfig.trust.allow_redelegation,
    catalogCache,
    ec2: new Ec2TokenAuthenticator({
      credentials: m.credentials, providers: side.providers, tokens: side.tokens, trusts: m.trusts, appCreds: m.appCreds, authTtlMinutes: o.config.credential.auth_ttl,
    }),
  };
  return {
    routes: identityRoutes(deps, { managers: m, policy: o.policy, config: o.config, baseUrl: o.baseUrl }),
    lanes: { '/v3/auth/tokens': validateTokenLane(deps) },
  };
}

/** Whether `v` is nothing, or an object without own keys (no path parameters, no body). */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v !== 'object') return false;
  for (const k in v) if (Object.hasOwn(v, k)) return false;
  return true;
}

/** How long stopping waits for notifications still being sent. */
const NOTIFICATION_DRAIN_MS = 2000;

/** The identity API role: routes, the in-process token validator, the bootstrap of the cloud. */
export async function createKeystone(ctx: RoleContext): Promise<RoleInstance> {
  const db = await ctx.database();
  const config = resourceConfigFrom(ctx.config);
  const authConfig = authConfigFrom(ctx.config);
  const events = new KeystoneEvents();
  const audit = new IdentityNotifier({
    transport: ctx.transport, host: ctx.host, config: notificationConfigFrom(ctx.config), log: ctx.log,
    // Called only once notifications are sent, when `managers` exists.
    identityServiceId: async () => (await managers.catalog.listServices(new Hints().add('type', 'identity')))[0]?.id,
  });
  const managers = createManagers({ db: db.db, config, authConfig, events, audit, log: ctx.log, dataDir: ctx.dataDir });
  const { admin_project_name: apName, admin_project_domain_name: apDomain } = config.resource;
  const adminProject = apName && apDomain ? { name: apName, domainName: apDomain } : undefined;
  const side = await createTokenSide(managers, {
    authConfig, keyDir: fernetKeyDir(ctx.config, ctx.dataDir), events, audit, ...(adminProject ? { adminProject } : {}),
  });
  const policy = loadServicePolicy(keystonePolicySpec, { config: ctx.config, dataDir: ctx.dataDir, project: 'keystone', periodic: ctx.periodic }, {
    ...keystonePolicyOptions, onWarning: (msg) => ctx.log.warn(msg),
  });

  // Other Keystone processes on the same database revoke tokens too: read their events.
  ctx.periodic.add({ name: 'revoke-sync', interval: authConfig.revoke.poll_interval, run: () => managers.revoke.sync() });
  return {
    ...createApi(managers, side, { config, authConfig, policy, baseUrl: ctx.baseUrl, ...(adminProject ? { adminProject } : {}) }),
    identity: {
      tokenValidator: side.validator,
      bootstrap: (opts) => bootstrapIdentity(managers, opts, config.identity.default_domain_id),
    },
    async stop() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([audit.settled(), new Promise((done) => { timer = setTimeout(done, NOTIFICATION_DRAIN_MS); })]);
      clearTimeout(timer);
    },
  };
}
