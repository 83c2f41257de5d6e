/**
 * The identity service (Keystone v3) as a Nubo project: the resource side (users,
 * projects, roles, catalog, ...) and the auth side (tokens, trusts, application credentials,
 * revocation) over one database, one policy enforcer and one event bus. Changes are announced
 * on the message bus (notifications/). Identity also hands the launcher its in-process token
 * validator and the bootstrap of the cloud.
 */
import type { Kysely } from 'kysely';
import { loadServicePolicy } from '../../common/policy/index.js';
import type { ProjectDef, RoleContext, RoleInstance } from '../../common/service/project.js';
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
import { keystoneDefaultRules } from './policies/index.js';
import { ForbiddenAction } from './errors.js';
import { KeystoneEvents } from './providers.js';
import { ResourceProviders } from './resource-providers.js';

export { rotateFernetKeys, initializeKeyRepository } from './token/key-repository.js';
export { fernetKeyDir } from './auth-config.js';
export { identityFault } from './auth/wiring.js';

/** How long stopping waits for notifications still being sent. */
const NOTIFICATION_DRAIN_MS = 2000;

/** Keystone's policy: its defaults, with [oslo_policy] enforce_scope off as in Zed. */
const policy = { defaults: keystoneDefaultRules, enforceScope: false, enforceNewDefaults: true };

async function createIdentity(ctx: RoleContext): Promise<RoleInstance> {
  const db = await ctx.database();
  const events = new KeystoneEvents();
  const audit = new IdentityNotifier({
    transport: ctx.transport, host: ctx.host, config: notificationConfigFrom(ctx.config), log: ctx.log,
    // Called only once notifications are sent, when `managers` exists.
    identityServiceId: async () => (await managers.catalog.listServices(new Hints().add('type', 'identity')))[0]?.id,
  });
  const managers = createResourceManagers(db, ctx.config, events, ctx.log, { dataDir: ctx.dataDir, audit });
  const providers = new ResourceProviders(managers, audit);
  const resourceConfig = resourceConfigFrom(ctx.config);
  const authConfig = authConfigFrom(ctx.config);
  const { admin_project_name: apName, admin_project_domain_name: apDomain } = resourceConfig.resource;
  const adminProject = apName && apDomain ? { name: apName, domainName: apDomain } : undefined;

  const side = await createAuthSide({
    db: db.db as Kysely<AuthDB>,
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

  const servicePolicy = loadServicePolicy(policy, { config: ctx.config, dataDir: ctx.dataDir, project: 'keystone' }, {
    denied: (rule) => new ForbiddenAction(rule), onWarning: (m) => ctx.log.warn(m),
  });
  const enforcer = servicePolicy.enforcer;
  const apiDeps = authApiDeps({ managers, providers, side, enforcer, baseUrl: ctx.baseUrl, config: authConfig, ...(adminProject ? { adminProject } : {}) });

  // Other Keystone processes on the same database revoke tokens too: read their events.
  ctx.periodic.add({ name: 'revoke-sync', interval: authConfig.revoke.poll_interval, run: () => side.revoke.sync() });
  return {
    routes: identityRoutes(apiDeps, { managers, enforcer, config: resourceConfig, baseUrl: ctx.baseUrl }),
    identity: {
      tokenValidator: side.validator,
      bootstrap: (opts) => bootstrapIdentity(managers, opts, resourceConfig.identity.default_domain_id),
    },
    async stop() {
      servicePolicy.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([audit.settled(), new Promise((done) => { timer = setTimeout(done, NOTIFICATION_DRAIN_MS); })]);
      clearTimeout(timer);
    },
  };
}

export const keystone: ProjectDef = {
  name: 'keystone',
  service: 'identity',
  description: 'OpenStack Identity (Keystone v3)',
  prefix: '/identity',
  catalog: [{ type: 'identity', path: '/v3' }],
  configGroups: [...resourceConfigGroups, ...authConfigGroups, ...notificationConfigGroups],
  migrations,
  policy,
  fault: identityFault,
  roles: [{ name: 'identity', description: 'the Identity API (keystone under uwsgi)', kind: 'api', create: createIdentity }],
};
