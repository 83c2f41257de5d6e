/** Schema migrations of Nova's database, applied in name order. */
import type { Migrations } from '../../../../common/db/index.js';
import { initial } from './0001_initial.js';
import { virtualInterfaces } from './0005_virtual_interfaces.js';

export const novaMigrations: Migrations = {
  '0001_initial': initial,
  '0005_virtual_interfaces': virtualInterfaces,
};
