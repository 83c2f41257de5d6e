/**
 * The nova.conf options Nubo's Compute implements, in the groups nova.conf has them:
 * [DEFAULT] (the compute host's resources, allocation ratios, the VIF plugging wait, zones,
 * periodic intervals), [api], [scheduler], [filter_scheduler], [quota],
 * [notifications] and [fake_driver] (the fake hypervisor's size and timing knobs).
 */
import { defineGroup, opt } from '../../common/config/index.js';

export const novaDefaultGroup = defineGroup('DEFAULT', 'Compute (nova.conf [DEFAULT])', {
  report_interval: opt.int(10, 'Seconds between the heartbeats a conductor, scheduler or compute service writes to its services record.', { min: 1 }),
  service_down_time: opt.int(60, 'Seconds without a heartbeat after which a service counts as down.', { min: 1 }),
  compute_driver: opt.enum(['fake'], 'fake', 'The virt driver of the compute hosts (fake: a simulated hypervisor).'),
  reserved_host_cpus: opt.int(0, 'Host CPUs reserved for the host (VCPU reserved in Placement).', { min: 0 }),
  reserved_host_memory_mb: opt.int(512, 'Memory in MiB reserved for the host (MEMORY_MB reserved in Placement).', { min: 0 }),
  reserved_host_disk_mb: opt.int(0, 'Disk in MiB reserved for the host (DISK_GB reserved in Placement, rounded up).', { min: 0 }),
  cpu_allocation_ratio: opt.float(0, 'VCPU allocation ratio reported to Placement; 0: initial_cpu_allocation_ratio when the provider is created, then whatever Placement has.', { min: 0 }),
  ram_allocation_ratio: opt.float(0, 'MEMORY_MB allocation ratio; 0: initial_ram_allocation_ratio, then Placement\'s.', { min: 0 }),
  disk_allocation_ratio: opt.float(0, 'DISK_GB allocation ratio; 0: initial_disk_allocation_ratio, then Placement\'s.', { min: 0 }),
  initial_cpu_allocation_ratio: opt.float(4.0, 'VCPU allocation ratio of a new compute node.', { min: 0 }),
  initial_ram_allocation_ratio: opt.float(1.0, 'MEMORY_MB allocation ratio of a new compute node.', { min: 0 }),
  initial_disk_allocation_ratio: opt.float(1.0, 'DISK_GB allocation ratio of a new compute node.', { min: 0 }),
  vif_plugging_timeout: opt.int(300, 'Seconds a build waits for Neutron\'s network-vif-plugged events; 0: do not wait.', { min: 0 }),
  vif_plugging_is_fatal: opt.bool(true, 'Fail the build when the network-vif-plugged events do not come in time (otherwise go on).'),
  default_availability_zone: opt.str('nova', 'Availability zone of compute hosts in no aggregate with a zone.'),
  default_schedule_zone: opt.str('', 'Availability zone given to servers created without one; empty: any.'),
  sync_power_state_interval: opt.int(600, 'Seconds between power state syncs of a compute host; 0 or less: never.'),
  update_resources_interval: opt.int(60, 'Seconds between resource reports of a compute host to Placement.', { min: 1 }),
  max_concurrent_builds: opt.int(10, 'Builds a compute host runs at once; 0: unlimited.', { min: 0 }),
});

export const apiGroup = defineGroup('api', 'Compute API', {
  max_limit: opt.int(1000, 'Largest number of items a list call returns.', { min: 1 }),
  compute_link_prefix: opt.str('', 'Base URL replacing the request\'s in links to compute resources (empty: the request\'s).'),
  default_flavors: opt.bool(true, 'Create DevStack\'s flavors m1.tiny to m1.xlarge when the database has none of their ids or names (first start).'),
});

export const schedulerGroup = defineGroup('scheduler', 'Scheduler (nova.conf [scheduler])', {
  max_attempts: opt.int(3, 'Hosts tried for one server: the selected one and its alternates (1: no reschedule).', { min: 1 }),
  max_placement_results: opt.int(1000, 'Largest number of allocation candidates asked from Placement.', { min: 1 }),
  query_placement_for_availability_zone: opt.bool(true, 'Ask Placement only for providers in the aggregates of the requested zone.'),
});

export const filterSchedulerGroup = defineGroup('filter_scheduler', 'Filter scheduler (nova.conf [filter_scheduler])', {
  enabled_filters: opt.list(
    ['ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter'],
    'Filters applied to the hosts, in order (AvailabilityZoneFilter, ComputeFilter, ComputeCapabilitiesFilter, ImagePropertiesFilter, '
      + 'ServerGroupAffinityFilter, ServerGroupAntiAffinityFilter, AggregateInstanceExtraSpecsFilter).',
  ),
  weight_classes: opt.list(['all'], 'Weighers applied (RAMWeigher, CPUWeigher, DiskWeigher, IoOpsWeigher, ServerGroupSoftAffinityWeigher, '
    + 'ServerGroupSoftAntiAffinityWeigher); "all": every one.'),
  host_subset_size: opt.int(1, 'A host is picked at random among this many best-weighed hosts.', { min: 1 }),
  ram_weight_multiplier: opt.float(1.0, 'Weight of free RAM (negative: stack instead of spread).'),
  cpu_weight_multiplier: opt.float(1.0, 'Weight of free VCPUs.'),
  disk_weight_multiplier: opt.float(1.0, 'Weight of free disk.'),
  io_ops_weight_multiplier: opt.float(-1.0, 'Weight of the I/O workload (negative: prefer idle hosts).'),
  soft_affinity_weight_multiplier: opt.float(1.0, 'Weight of soft-affinity group members on a host.', { min: 0 }),
  soft_anti_affinity_weight_multiplier: opt.float(1.0, 'Weight of soft-anti-affinity group members on a host.', { min: 0 }),
  shuffle_best_same_weighed_hosts: opt.bool(false, 'Shuffle the hosts that share the best weight.'),
});

export const quotaGroup = defineGroup('quota', 'Compute quotas (nova.conf [quota]; -1: unlimited)', {
  instances: opt.int(10, 'Servers per project.', { min: -1 }),
  cores: opt.int(20, 'VCPUs per project.', { min: -1 }),
  ram: opt.int(51200, 'Memory per project, in MiB.', { min: -1 }),
  metadata_items: opt.int(128, 'Metadata items per server.', { min: -1 }),
  injected_files: opt.int(5, 'Injected files per server.', { min: -1 }),
  injected_file_content_bytes: opt.int(10240, 'Bytes per injected file.', { min: -1 }),
  injected_file_path_length: opt.int(255, 'Length of an injected file\'s path.', { min: -1 }),
  key_pairs: opt.int(100, 'Key pairs per user.', { min: -1 }),
  server_groups: opt.int(10, 'Server groups per project.', { min: -1 }),
  server_group_members: opt.int(10, 'Servers per server group.', { min: -1 }),
  recheck_quota: opt.bool(true, 'Count usage again after the records are made, to catch races between concurrent requests.'),
});

export const notificationsGroup = defineGroup('notifications', 'Compute notifications (nova.conf [notifications])', {
  versioned_notifications_topics: opt.list(['versioned_notifications'], 'Topics of the versioned notifications (nova/notifications/objects).'),
  notification_format: opt.enum(['versioned', 'none'], 'versioned', 'versioned: the versioned notifications (instance.create.start...); none: none. '
    + 'Nubo does not send the legacy unversioned ones.'),
});

export const fakeDriverGroup = defineGroup('fake_driver', 'The fake virt driver (a simulated hypervisor)', {
  vcpus: opt.int(1000, 'VCPUs of each fake host.', { min: 1 }),
  memory_mb: opt.int(800000, 'Memory of each fake host, in MiB.', { min: 1 }),
  local_gb: opt.int(600000, 'Disk of each fake host, in GiB.', { min: 1 }),
  spawn_seconds: opt.float(0, 'Time spawning a guest takes.', { min: 0 }),
  destroy_seconds: opt.float(0, 'Time destroying a guest takes.', { min: 0 }),
  power_seconds: opt.float(0, 'Time a power on/off or reboot takes.', { min: 0 }),
  fail_spawn_hosts: opt.list([], 'Hosts whose spawns fail (to exercise rescheduling and failed builds).'),
});

export const conductorGroup = defineGroup('conductor', 'Conductor (nova.conf [conductor]; the build recovery options are Nubo\'s)', {
  recover_builds_on_start: opt.bool(true, 'At start, build again the servers left BUILDING with no host by a stopped cloud (always with the in-process bus, '
    + 'whose messages died with the process; with a broker only when no other conductor is up). Nova leaves them BUILDING for ever.'),
  hostless_build_timeout: opt.int(600, 'Seconds a server may stay BUILDING with no host and no change before a conductor builds it again '
    + '(its build request was lost); 0: never.', { min: 0 }),
  hostless_build_check_interval: opt.int(60, 'Seconds between the conductor\'s checks for such stuck builds.', { min: 1 }),
});

export const novaConfigGroups = [
  novaDefaultGroup, apiGroup, schedulerGroup, filterSchedulerGroup, quotaGroup, notificationsGroup, fakeDriverGroup, conductorGroup,
];
