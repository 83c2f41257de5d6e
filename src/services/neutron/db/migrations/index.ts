/** Neutron's schema migrations, in order. */
import type { Migrations } from '../../../../common/db/index.js';
import * as initial from './0001_initial.js';

export const migrations: Migrations = {
  '0001_initial': initial,
};
