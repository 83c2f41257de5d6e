/**
 * The identity service (Keystone v3) as a Nubo ServicePlugin: its option groups, migrations
 * and the composition that creates it (service.ts). Identity also hands the launcher its
 * in-process token validator and the bootstrap of the cloud.
 */
import type { IdentityInstance, ServicePlugin } from '../../common/service/plugin.js';
import { authConfigGroups } from './auth-config.js';
import { resourceConfigGroups } from './config.js';
import { migrations } from './db/migrations/index.js';
import { notificationConfigGroups } from './rpc/options.js';
import { createKeystone } from './service.js';

export { rotateFernetKeys, initializeKeyRepository } from './token/key-repository.js';
export { fernetKeyDir } from './auth-config.js';
export { identityFault } from './api/fault.js';

export const identityPlugin: ServicePlugin<IdentityInstance> = {
  name: 'identity',
  project: 'keystone',
  serviceType: 'identity',
  description: 'OpenStack Identity (Keystone v3)',
  prefix: '/identity',
  catalogPath: '/v3',
  configGroups: [...resourceConfigGroups, ...authConfigGroups, ...notificationConfigGroups],
  migrations,
  create: createKeystone,
};
