/**
 * The Placement project (placement 8.0, Zed; microversions 1.0 to 1.39): one role, the
 * Placement API (placement-api), composed in service.ts.
 */
import type { ProjectDef } from '../../common/service/project.js';
import { placementFault } from './api/fault.js';
import { placementGroups } from './config.js';
import { placementMigrations } from './db/migrations.js';
import { placementPolicySpec } from './policies/index.js';
import { buildPlacementService } from './service.js';

export const placement: ProjectDef = {
  name: 'placement',
  service: 'placement',
  description: 'Placement Service',
  prefix: '/placement',
  catalog: [{ type: 'placement', path: '' }],
  configGroups: placementGroups,
  migrations: placementMigrations,
  policy: placementPolicySpec,
  fault: placementFault,
  roles: [{ name: 'placement', description: 'the Placement API (placement-api)', kind: 'api', create: buildPlacementService }],
};
