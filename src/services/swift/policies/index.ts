/**
 * Object storage's authorization is not oslo.policy: Swift's keystoneauth decides from the
 * token's project and roles (keystoneauth.ts). The ServicePolicySpec is there for the common
 * [oslo_policy] machinery and holds no rules.
 */
import type { ServicePolicySpec } from '../../../common/policy/index.js';

export { KeystoneAuth, type KeystoneAuthOptions, type Access, type AclOperation, type ContainerAcls } from './keystoneauth.js';

export const swiftPolicySpec: ServicePolicySpec = { defaults: [], enforceScope: false, enforceNewDefaults: false };
