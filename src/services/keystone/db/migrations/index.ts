/** Keystone's schema migrations, in order (0001, 0003 and 0004 resource side, 0002 auth side). */
import type { Migrations } from '../../../../common/db/index.js';
import * as resources from './0001_resources.js';
import * as auth from './0002_auth.js';
import * as resourceExtras from './0003_resource_extras.js';
import * as policyAssociation from './0004_policy_association.js';

export const migrations: Migrations = {
  '0001_resources': resources,
  '0002_auth': auth,
  '0003_resource_extras': resourceExtras,
  '0004_policy_association': policyAssociation,
};
