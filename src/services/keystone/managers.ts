/**
 * Builds the resource side: every manager over one database, wired to each other, plus the
 * KeystoneProviders view the auth side consumes.
 */
import { join } from 'node:path';
import { Kysely } from 'kysely';
import type { Config } from '../../common/config/index.js';
import type { Database } from '../../common/db/index.js';
import type { Logger } from '../../common/log/logger.js';
import { AssignmentManager } from './assignment/assignments.js';
import { RoleManager } from './assignment/roles.js';
import { CatalogManager } from './catalog/catalog.js';
import { EndpointFilterManager } from './catalog/endpoint-filter.js';
import { type ResourceConfig, resourceConfigFrom } from './config.js';
import { clearCipher, fileKeyCipher } from './credential/cipher.js';
import { CredentialManager } from './credential/credentials.js';
import type { KeystoneDB } from './db/schema.js';
import { DomainConfigManager } from './domain_config/domain-configs.js';
import { GroupManager } from './identity/groups.js';
import { PasswordCheckCache } from './identity/password-check-cache.js';
import { UserManager } from './identity/users.js';
import { LimitManager } from './limit/limits.js';
import { ConsumerManager } from './oauth1/consumers.js';
import { PolicyBlobManager } from './policy/policies.js';
import type { ManagerContext, ResourceManagers } from './manager-context.js';
import { silentAudit, type IdentityAudit } from './notifications/audit.js';
import type { KeystoneEvents } from './providers.js';
import { ResourceManager } from './resource/resource.js';

export type { ResourceManagers } from './manager-context.js';

export interface ResourceManagerOptions {
  /**
   * The data directory: the credential encryption key ([credential] encrypt; blobs are stored in
   * clear without it) and bootstrap's password-check cache live there.
   */
  dataDir?: string;
  /** Where the managers' notifications go; none are sent without it. */
  audit?: IdentityAudit;
}

/**
 * `db` is the service's opened Database (ServiceContext.db) or a Kysely instance; `config` a
 * loaded Config holding resourceConfigGroups, or a ResourceConfig (tests).
 */
export function createResourceManagers(
  db: Database<any> | Kysely<any>,
  config: Config | ResourceConfig,
  events: KeystoneEvents,
  log: Logger,
  opts: ResourceManagerOptions = {},
): ResourceManagers {
  const kysely = (db instanceof Kysely ? db : db.db) as Kysely<KeystoneDB>;
  const resolved = 'get' in config && typeof config.get === 'function' ? resourceConfigFrom(config as Config) : (config as ResourceConfig);
  const ctx = { db: kysely, config: resolved, events, audit: opts.audit ?? silentAudit, log } as ManagerContext;
  const cipher = resolved.credential.encrypt && opts.dataDir ? fileKeyCipher(join(opts.dataDir, 'keystone-credential-key')) : clearCipher;
  const managers: ResourceManagers = {
    users: new UserManager(ctx, opts.dataDir ? new PasswordCheckCache(join(opts.dataDir, 'keystone-password-check.json')) : undefined),
    groups: new GroupManager(ctx),
    resource: new ResourceManager(ctx),
    roles: new RoleManager(ctx),
    assignments: new AssignmentManager(ctx),
    catalog: new CatalogManager(ctx),
    credentials: new CredentialManager(ctx, cipher),
    limits: new LimitManager(ctx),
    domainConfigs: new DomainConfigManager(ctx),
    endpointFilter: new EndpointFilterManager(ctx),
    policies: new PolicyBlobManager(ctx),
    consumers: new ConsumerManager(ctx),
  };
  ctx.managers = managers;
  return managers;
}
