/**
 * The Image project (Glance v2): one role, the Images API (glance-api), composed in service.ts.
 */
import type { ProjectDef } from '../../common/service/project.js';
import { glanceFault } from './api/fault.js';
import { glanceGroups } from './config.js';
import { glanceMigrations } from './db/migrations.js';
import { glancePolicySpec } from './policies/index.js';
import { buildImageService } from './service.js';

export const glance: ProjectDef = {
  name: 'glance',
  service: 'image',
  description: 'Image Service (Glance)',
  prefix: '/image',
  catalog: [{ type: 'image', path: '' }],
  configGroups: glanceGroups,
  migrations: glanceMigrations,
  policy: glancePolicySpec,
  fault: glanceFault,
  roles: [{ name: 'image', description: 'the Images API (glance-api)', kind: 'api', create: (ctx) => buildImageService({ ctx }) }],
};
