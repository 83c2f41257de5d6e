/** Keystone's schema migrations, in order (0001 and 0003 resource side, 0002 auth side). */
import type { Migrations } from '../../../../common/db/index.js';
import * as resources from './0001_resources.js';
import * as auth from './0002_auth.js';
import * as resourceExtras from './0003_resource_extras.js';

export const migrations: Migrations = {
  '0001_resources': resources,
  '0002_auth': auth,
  '0003_resource_extras': resourceExtras,
};
