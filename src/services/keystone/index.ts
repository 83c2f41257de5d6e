/**
 * The Identity project (Keystone v3): its option groups, migrations, policy, error format and
 * one role, the Identity API, composed in service.ts. Identity also hands the launcher its
 * in-process token validator and the bootstrap of the cloud.
 */
import type { ProjectDef } from '../../common/service/project.js';
import { identityFault } from './api/fault.js';
import { authConfigGroups } from './auth-config.js';
import { resourceConfigGroups } from './config.js';
import { migrations } from './db/migrations/index.js';
import { keystonePolicySpec } from './policies/spec.js';
import { notificationConfigGroups } from './rpc/options.js';
import { createKeystone } from './service.js';
import { fernetRotateCommand } from './token/fernet-rotate-command.js';

export const keystone: ProjectDef = {
  name: 'keystone',
  service: 'identity',
  description: 'OpenStack Identity (Keystone v3)',
  prefix: '/identity',
  catalog: [{ type: 'identity', path: '/v3' }],
  configGroups: [...resourceConfigGroups, ...authConfigGroups, ...notificationConfigGroups],
  migrations,
  policy: keystonePolicySpec,
  fault: identityFault,
  roles: [{ name: 'identity', description: 'the Identity API (keystone under uwsgi)', kind: 'api', create: createKeystone }],
  commands: [fernetRotateCommand],
};
