/** Neutron's schema migrations, in order. */
import type { Migrations } from '../../../../common/db/index.js';
import * as initial from './0001_initial.js';
import * as autoAllocated from './0002_auto_allocated_topologies.js';
import * as trunks from './0003_trunks.js';
import * as qos from './0004_qos.js';
import * as metering from './0005_metering.js';
import * as addressGroups from './0006_address_groups.js';

export const migrations: Migrations = {
  '0001_initial': initial,
  '0002_auto_allocated_topologies': autoAllocated,
  '0003_trunks': trunks,
  '0004_qos': qos,
  '0005_metering': metering,
  '0006_address_groups': addressGroups,
};
