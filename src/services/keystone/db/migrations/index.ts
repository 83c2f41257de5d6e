/** Keystone's schema migrations, in order (the auth side adds 0002_auth). */
import type { Migrations } from '../../../../common/db/index.js';
import * as resources from './0001_resources.js';
import * as auth from './0002_auth.js';

export const migrations: Migrations = {
  '0001_resources': resources,
  '0002_auth': auth,
};
