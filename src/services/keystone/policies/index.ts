/**
 * Every default policy rule of Keystone's /v3 API (both halves: resource and auth side), as
 * upstream registers them in keystone/common/policies/__init__.py.
 */
import type { RuleDefault } from '../../../common/policy/index.js';
import { accessRuleRules } from './access-rule.js';
import { accessTokenRules } from './access-token.js';
import { applicationCredentialRules } from './application-credential.js';
import { authRules } from './auth.js';
import { baseRules } from './base.js';
import { consumerRules } from './consumer.js';
import { credentialRules } from './credential.js';
import { domainRules } from './domain.js';
import { domainConfigRules } from './domain-config.js';
import { ec2CredentialRules } from './ec2-credential.js';
import { ec2tokensRules } from './ec2tokens.js';
import { endpointRules } from './endpoint.js';
import { endpointGroupRules } from './endpoint-group.js';
import { grantRules } from './grant.js';
import { groupRules } from './group.js';
import { identityProviderRules } from './identity-provider.js';
import { impliedRoleRules } from './implied-role.js';
import { limitRules } from './limit.js';
import { mappingRules } from './mapping.js';
import { policyRules } from './policy.js';
import { policyAssociationRules } from './policy-association.js';
import { projectRules } from './project.js';
import { projectEndpointRules } from './project-endpoint.js';
import { protocolRules } from './protocol.js';
import { regionRules } from './region.js';
import { registeredLimitRules } from './registered-limit.js';
import { revokeEventRules } from './revoke-event.js';
import { roleRules } from './role.js';
import { roleAssignmentRules } from './role-assignment.js';
import { s3tokensRules } from './s3tokens.js';
import { serviceRules } from './service.js';
import { serviceProviderRules } from './service-provider.js';
import { tokenRules } from './token.js';
import { tokenRevocationRules } from './token-revocation.js';
import { trustRules } from './trust.js';
import { userRules } from './user.js';

export const keystoneDefaultRules: readonly RuleDefault[] = [
  ...accessRuleRules,
  ...accessTokenRules,
  ...applicationCredentialRules,
  ...authRules,
  ...baseRules,
  ...consumerRules,
  ...credentialRules,
  ...domainRules,
  ...domainConfigRules,
  ...ec2CredentialRules,
  ...ec2tokensRules,
  ...endpointRules,
  ...endpointGroupRules,
  ...grantRules,
  ...groupRules,
  ...identityProviderRules,
  ...impliedRoleRules,
  ...limitRules,
  ...mappingRules,
  ...policyRules,
  ...policyAssociationRules,
  ...projectRules,
  ...projectEndpointRules,
  ...protocolRules,
  ...regionRules,
  ...registeredLimitRules,
  ...revokeEventRules,
  ...roleRules,
  ...roleAssignmentRules,
  ...s3tokensRules,
  ...serviceRules,
  ...serviceProviderRules,
  ...tokenRules,
  ...tokenRevocationRules,
  ...trustRules,
  ...userRules,
];
