/**
 * Configuration of Block Storage, as cinder.conf names it: [DEFAULT] options of the API, the
 * quotas and the scheduler (those that the one nubo.conf does not already give Nova under the
 * same name), and [backend_defaults] for the volume hosts' driver. Heartbeats use Cinder's own
 * defaults (report_interval 10 s, service_down_time 60 s): nova.conf's [DEFAULT] options of
 * those names belong to Compute in a shared nubo.conf.
 */
import { defineGroup, opt } from '../../common/config/index.js';
import { osloMessagingNotificationsGroup } from '../../common/messaging/notification-options.js';
import { backupGroup } from './backup/config.js';

export const REPORT_INTERVAL = 10;
export const SERVICE_DOWN_TIME = 60;

export const cinderDefaultGroup = defineGroup('DEFAULT', 'Block Storage (cinder.conf [DEFAULT])', {
  storage_availability_zone: opt.str('nova', 'Availability zone of the volume hosts, and of volumes created without one.'),
  allow_availability_zone_fallback: opt.bool(false, 'A volume asked for in a zone no volume host serves is created in storage_availability_zone instead of failing.'),
  default_volume_type: opt.str('__DEFAULT__', 'Volume type of volumes created without one (Cinder makes __DEFAULT__ at its first start).'),
  osapi_max_limit: opt.int(1000, 'The most items a list of the Block Storage API returns in one page.', { min: 1 }),
  quota_volumes: opt.int(10, 'Volumes a project may have; -1: unlimited.', { min: -1 }),
  quota_snapshots: opt.int(10, 'Snapshots a project may have; -1: unlimited.', { min: -1 }),
  quota_gigabytes: opt.int(1000, 'GiB of volumes and snapshots a project may have; -1: unlimited.', { min: -1 }),
  quota_backup_gigabytes: opt.int(1000, 'GiB of backups a project may have; -1: unlimited.', { min: -1 }),
  quota_backups: opt.int(10, 'Backups a project may have; -1: unlimited.', { min: -1 }),
  quota_groups: opt.int(10, 'Generic volume groups a project may have; -1: unlimited.', { min: -1 }),
  per_volume_size_limit: opt.int(-1, 'Largest volume in GiB (the per_volume_gigabytes quota); -1: unlimited.', { min: -1 }),
  scheduler_default_filters: opt.list(['AvailabilityZoneFilter', 'CapacityFilter', 'CapabilitiesFilter'], 'Filters the volume scheduler applies to the pools.'),
  scheduler_default_weighers: opt.list(['CapacityWeigher'], 'Weighers the volume scheduler ranks the remaining pools with.'),
  scheduler_driver_init_wait_time: opt.int(60, 'Seconds a starting scheduler waits for the first capability report before it places volumes.', { min: 0 }),
  capacity_weight_multiplier: opt.float(1.0, 'Multiplier of the CapacityWeigher: positive spreads volumes, negative stacks them.'),
  volume_driver: opt.enum(['file', 'lvm', 'cinder.volume.drivers.lvm.LVMVolumeDriver'], 'file', 'The driver of the volume hosts (file: a file per volume under <data_dir>/volumes/<host>/; lvm or cinder.volume.drivers.lvm.LVMVolumeDriver: a logical volume per volume in [backend_defaults] volume_group).'),
  periodic_interval: opt.int(60, 'Seconds between the capability reports a volume host sends the schedulers.', { min: 1 }),
});

export const backendDefaultsGroup = defineGroup('backend_defaults', 'Volume backend (cinder.conf [backend_defaults])', {
  volume_backend_name: opt.str('file', 'Name of the backend (the middle of host@backend#pool, and the volume_backend_name capability).'),
  file_volume_format: opt.enum(['raw', 'qcow2'], 'raw', 'Format of the volume files: raw (sparse files) or qcow2 (made with qemu-img). Snapshots and clones are copies of the file (reflinks where the file system has them).'),
  file_capacity_gb: opt.int(0, 'Capacity the file backend reports, in GiB; 0: the size of the file system holding the data dir.', { min: 0 }),
  max_over_subscription_ratio: opt.float(20.0, 'How far thin provisioned volumes may exceed the real capacity (provisioned / total).', { min: 1 }),
  reserved_percentage: opt.int(0, 'Percentage of the capacity kept free of volumes.', { min: 0, max: 100 }),
  volume_group: opt.str('cinder-volumes', 'LVM driver: the volume group holding the volumes.'),
  lvm_type: opt.enum(['default', 'thin'], 'default', 'LVM driver: default (thick LVs) or thin (thin volumes of the pool <volume_group>-pool, made from 95% of the free space when missing).'),
  lvm_mirrors: opt.int(0, 'LVM driver: accepted for cinder.conf compatibility and ignored (no mirrored LVs).', { min: 0 }),
  volume_clear: opt.enum(['zero', 'none'], 'zero', 'LVM driver: how a deleted thick LV is wiped before it is removed.'),
  volume_clear_size: opt.int(0, 'LVM driver: MiB wiped at the start of a deleted LV; 0: all of it.', { min: 0 }),
  thin_provisioning: opt.bool(true, 'Whether the backend reports thin provisioning (sparse files): the CapacityFilter then weighs the over-subscription ratio.'),
});

export const cinderConfigGroups = [cinderDefaultGroup, backendDefaultsGroup, backupGroup, osloMessagingNotificationsGroup];
