/**
 * What every resource-side manager is built with: the database, the options, the event bus
 * the auth side listens to, the notifications sent on the message bus, a logger, and the other
 * managers (Keystone's managers call each
 * other, e.g. deleting a project removes its role assignments; the registry is filled once
 * all managers exist, so constructors must not use it).
 */
import type { Kysely } from 'kysely';
import type { Logger } from '../../common/log/logger.js';
import type { AssignmentManager } from './assignment/assignments.js';
import type { RoleManager } from './assignment/roles.js';
import type { CatalogManager } from './catalog/catalog.js';
import type { EndpointFilterManager } from './catalog/endpoint-filter.js';
import type { ResourceConfig } from './config.js';
import type { CredentialManager } from './credential/credentials.js';
import type { KeystoneDB } from './db/schema.js';
import type { DomainConfigManager } from './domain_config/domain-configs.js';
import type { GroupManager } from './identity/groups.js';
import type { UserManager } from './identity/users.js';
import type { LimitManager } from './limit/limits.js';
import type { IdentityAudit } from './notifications/audit.js';
import type { ConsumerManager } from './oauth1/consumers.js';
import type { PolicyBlobManager } from './policy/policies.js';
import type { KeystoneEvents } from './providers.js';
import type { ResourceManager } from './resource/resource.js';

export interface ResourceManagers {
  users: UserManager;
  groups: GroupManager;
  resource: ResourceManager;
  roles: RoleManager;
  assignments: AssignmentManager;
  catalog: CatalogManager;
  credentials: CredentialManager;
  limits: LimitManager;
  domainConfigs: DomainConfigManager;
  endpointFilter: EndpointFilterManager;
  policies: PolicyBlobManager;
  consumers: ConsumerManager;
}

export interface ManagerContext {
  db: Kysely<KeystoneDB>;
  config: ResourceConfig;
  events: KeystoneEvents;
  /** Notifications on the message bus (upstream's notifications.Audit), sent after commit. */
  audit: IdentityAudit;
  log: Logger;
  /** The other managers; filled after construction. */
  managers: ResourceManagers;
}
