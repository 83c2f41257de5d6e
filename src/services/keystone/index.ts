/**
 * The identity service (Keystone v3) as a Nubo ServicePlugin: the resource side (users,
 * projects, roles, catalog, ...) and the auth side (tokens, trusts, application credentials,
 * revocation) over one database, one policy enforcer and one event bus. Changes are announced
 * on the message bus (notifications/). Identity also hands the launcher its in-process token
 * validator and the bootstrap of the cloud.
 */
import type { Kysely } from 'kysely';
import type { IdentityInstance, ServiceContext, ServicePlugin } from '../../common/service/plugin.js';
import { authConfigFrom, authConfigGroups, fernetKeyDir } from './auth-config.js';
import { createAuthSide } from './auth/auth-side.js';
import { authApiDeps, identityFault, identityRoutes } from './auth/wiring.js';
import { bootstrapIdentity } from './bootstrap.js';
import { resourceConfigFrom, resourceConfigGroups } from './config.js';
import type { AuthDB } from './db/auth-schema.js';
import { migrations } from './db/migrations/index.js';
import { checkPassword, hashPassword } from './identity/password-hashing.js';
import { createResourceManagers } from './managers.js';
import { Hints } from './lib/hints.js';
import { IdentityNotifier } from './notifications/audit.js';
import { notificationConfigFrom, notificationConfigGroups } from './notifications/options.js';
import { createKeystoneEnforcer } from './policies/enforcer.js';
import { KeystoneEvents } from './providers.js';
import { ResourceProviders } from './resource-providers.js';

export { rotateFernetKeys, initializeKeyRepository } from './token/key-repository.js';
export { fernetKeyDir } from './auth-config.js';
export { identityFault } from './auth/wiring.js';

/** How long stopping waits for notifications still being sent. */
const NOTIFICATION_DRAIN_MS = 2000;

async function createIdentity(ctx: ServiceContext): Promise<IdentityInstance> {
  const events = new KeystoneEvents();
  const audit = new IdentityNotifier({
    transport: ctx.transport, host: ctx.host, config: notificationConfigFrom(ctx.config), log: ctx.log,
    // Called only once notifications are sent, when `managers` exists.
    identityServiceId: async () => (await managers.catalog.listServices(new Hints().add('type', 'identity')))[0]?.id,
  });
  const managers = createResourceManagers(ctx.db, ctx.config, events, ctx.log, { dataDir: ctx.dataDir, audit });
  const providers = new ResourceProviders(managers, audit);
  const resourceConfig = resourceConfigFrom(ctx.config);
  const authConfig = authConfigFrom(ctx.config);
  const { admin_project_name: apName, admin_project_domain_name: apDomain } = resourceConfig.resource;
  const adminProject = apName && apDomain ? { name: apName, domainName: apDomain } : undefined;

  const side = await createAuthSide({
    db: ctx.db.db as Kysely<AuthDB>,
    providers,
    events,
    config: authConfig,
    keyDir: fernetKeyDir(ctx.config, ctx.dataDir),
    hashSecret: (secret) => hashPassword(secret, managers.users.hashOptions()),
    checkSecret: (secret, hash) => checkPassword(secret, hash, managers.users.hashOptions()),
    defaultProjectId: async (user) => (await managers.users.findUser(user.id))?.default_project_id ?? null,
    ...(adminProject ? { adminProject } : {}),
    audit,
  });

  // [oslo_policy] enforce_scope is off by default in the Keystone this mirrors (Zed).
  const enforcer = createKeystoneEnforcer({ enforceScope: false, onWarning: (m) => ctx.log.warn(m) });
  const apiDeps = authApiDeps({ managers, providers, side, enforcer, baseUrl: ctx.baseUrl, config: authConfig, ...(adminProject ? { adminProject } : {}) });

  let poller: NodeJS.Timeout | undefined;
  return {
    routes: identityRoutes(apiDeps, { managers, enforcer, config: resourceConfig, baseUrl: ctx.baseUrl }),
    fault: identityFault,
    tokenValidator: side.validator,
    bootstrap: (opts) => bootstrapIdentity(managers, opts, resourceConfig.identity.default_domain_id),
    async start() {
      const seconds = authConfig.revoke.poll_interval;
      if (seconds > 0) {
        poller = setInterval(() => {
          side.revoke.sync().catch((err: unknown) => ctx.log.warn({ err }, 'reading revocation events failed'));
        }, seconds * 1000);
        poller.unref();
      }
    },
    async stop() {
      if (poller) clearInterval(poller);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([audit.settled(), new Promise((done) => { timer = setTimeout(done, NOTIFICATION_DRAIN_MS); })]);
      clearTimeout(timer);
    },
  };
}

export const identityPlugin: ServicePlugin<IdentityInstance> = {
  name: 'identity',
  project: 'keystone',
  serviceType: 'identity',
  description: 'OpenStack Identity (Keystone v3)',
  prefix: '/identity',
  catalogPath: '/v3',
  configGroups: [...resourceConfigGroups, ...authConfigGroups, ...notificationConfigGroups],
  migrations,
  create: createIdentity,
};
