/**
 * The Block Storage project (Cinder, API v3 with microversions 3.0-3.70): the roles OpenStack
 * runs for it, talking over the bus: volume-api (cinder-api), volume-scheduler
 * (cinder-scheduler) and volume (cinder-volume, once per [DEFAULT] hosts entry, backend
 * `<host>@<volume_backend_name>` with the file driver) and backup (cinder-backup, posix or swift
 * driver). The catalog lists it as
 * `block-storage` and `volumev3` at `/volume/v3/$(project_id)s`, as DevStack registers it.
 */
import type { ProjectDef } from '../../common/service/project.js';
import { cinderFault } from './api/fault.js';
import { cinderConfigGroups } from './config.js';
import { cinderMigrations } from './db/migrations.js';
import { cinderPolicySpec } from './policies/index.js';
import { createBackupService } from './roles/backup.js';
import { createVolumeApi } from './roles/volume-api.js';
import { createVolumeScheduler } from './roles/volume-scheduler.js';
import { createVolumeService } from './roles/volume.js';

export const cinder: ProjectDef = {
  name: 'cinder',
  service: 'volume',
  description: 'Block Storage Service (Cinder)',
  prefix: '/volume',
  catalog: [
    { type: 'block-storage', name: 'cinder', path: '/v3/$(project_id)s' },
    { type: 'volumev3', name: 'cinderv3', path: '/v3/$(project_id)s' },
  ],
  configGroups: cinderConfigGroups,
  migrations: cinderMigrations,
  policy: cinderPolicySpec,
  fault: cinderFault,
  roles: [
    { name: 'volume-api', description: 'cinder-api: the Block Storage API', kind: 'api', create: createVolumeApi },
    { name: 'volume-scheduler', description: 'cinder-scheduler: places volumes on backend pools with filters and weighers', kind: 'worker', create: createVolumeScheduler },
    { name: 'volume', description: 'cinder-volume: the volume service of one host (file driver)', kind: 'worker', perHost: true, create: createVolumeService },
    { name: 'backup', description: 'cinder-backup: backs volumes up and restores them (posix or swift driver)', kind: 'worker', create: createBackupService },
  ],
};
