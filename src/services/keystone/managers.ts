/**
 * The managers of Keystone's subsystems, as the composition (service.ts) builds them and the
 * API routes and tests use them. Managers do not see this record: each is given its driver and
 * the few managers it depends on.
 */
import type { AppCredManager } from './application_credential/core.js';
import type { AssignmentManager } from './assignment/core.js';
import type { RoleManager } from './assignment/roles.js';
import type { CatalogManager } from './catalog/core.js';
import type { CredentialManager } from './credential/core.js';
import type { EndpointFilterManager } from './endpoint_filter/core.js';
import type { EndpointPolicyManager } from './endpoint_policy/core.js';
import type { IdentityManager } from './identity/core.js';
import type { LimitManager } from './limit/core.js';
import type { ConsumerManager } from './oauth1/core.js';
import type { PolicyBlobManager } from './policy/core.js';
import type { ResourceManager } from './resource/core.js';
import type { DomainConfigManager } from './resource/domain-configs.js';
import type { RevokeManager } from './revoke/core.js';
import type { TrustManager } from './trust/core.js';

export interface KeystoneManagers {
  resource: ResourceManager;
  domainConfigs: DomainConfigManager;
  identity: IdentityManager;
  roles: RoleManager;
  assignments: AssignmentManager;
  endpointFilter: EndpointFilterManager;
  catalog: CatalogManager;
  credentials: CredentialManager;
  limits: LimitManager;
  policies: PolicyBlobManager;
  endpointPolicy: EndpointPolicyManager;
  consumers: ConsumerManager;
  revoke: RevokeManager;
  appCreds: AppCredManager;
  trusts: TrustManager;
}
