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
  compute_driver: opt.enum(['fake', 'qemu'], 'fake', 'The virt driver of the compute hosts (fake: a simulated hypervisor; qemu: real guests run by QEMU, see [qemu]).'),
  instances_path: opt.str('', 'Where the qemu driver keeps its guests\' disks, consoles and sockets (instances/<uuid>) and its image cache (_base); {host} is replaced by the compute host (hosts on one machine each have their own); empty: <data_dir>/nova/<host>/instances. A cold or live migration copies disks to the destination\'s path, which must be on this machine.'),
  long_rpc_timeout: opt.int(1800, 'Seconds an RPC call that may run long waits for its answer (oslo.messaging\'s long_rpc_timeout; here: a compute host caching images by request).', { min: 1 }),
  shutdown_timeout: opt.int(60, 'Seconds a stop, a soft reboot or a delete waits for the guest to shut down by ACPI before it is powered off.', { min: 0 }),
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
  internal_service_availability_zone: opt.str('internal', 'Availability zone shown for the services other than nova-compute (os-availability-zone/detail).'),
  default_schedule_zone: opt.str('', 'Availability zone given to servers created without one; empty: any.'),
  instance_delete_interval: opt.int(300, 'Seconds between a compute host\'s removals of expired console tokens (_cleanup_expired_console_auth_tokens); 0: never.', { min: 0 }),
  sync_power_state_interval: opt.int(600, 'Seconds between power state syncs of a compute host; 0 or less: never.'),
  update_resources_interval: opt.int(60, 'Seconds between resource reports of a compute host to Placement.', { min: 1 }),
  block_device_allocate_retries: opt.int(60, 'Times a build checks whether the volume it asked Cinder for (from an image, a snapshot or blank) is available, before it gives up.', { min: 0 }),
  block_device_allocate_retries_interval: opt.int(3, 'Seconds between those checks (the first ones come sooner: 50 ms, doubling up to this).', { min: 0 }),
  max_concurrent_builds: opt.int(10, 'Builds a compute host runs at once; 0: unlimited.', { min: 0 }),
  allow_resize_to_same_host: opt.bool(false, 'A resize may pick the server\'s own host (a cold migration may whenever the driver can: COMPUTE_SAME_HOST_COLD_MIGRATE).'),
  shelved_offload_time: opt.int(0, 'Seconds a shelved server stays on its host before it is offloaded; 0: offloaded at once; -1: never.', { min: -1 }),
  shelved_poll_interval: opt.int(3600, 'Seconds between the checks for shelved servers to offload; 0 or less: never.'),
  reclaim_instance_interval: opt.int(0, 'Seconds a deleted server stays SOFT_DELETED (powered off, restorable) before its host reclaims it; 0 or less: deletes are immediate.'),
});

export const apiGroup = defineGroup('api', 'Compute API', {
  max_limit: opt.int(1000, 'Largest number of items a list call returns.', { min: 1 }),
  compute_link_prefix: opt.str('', 'Base URL replacing the request\'s in links to compute resources (empty: the request\'s).'),
  default_flavors: opt.bool(true, 'Create DevStack\'s flavors (m1.tiny to m1.xlarge, cirros256, ds512M to ds4G) that the database has neither the id nor the name of (first start).'),
  // the metadata API's options (nova/conf/api.py)
  dhcp_domain: opt.str('novalocal', 'Domain name used to configure FQDN for instances (the metadata hostname is <hostname>.<dhcp_domain>; empty: the hostname alone).'),
  use_forwarded_for: opt.bool(false, 'Treat the X-Forwarded-For header as the canonical remote address (only when the metadata API finds instances by address, without service_metadata_proxy).'),
  vendordata_providers: opt.list(['StaticJSON'], 'Vendordata providers: StaticJSON (the file vendordata_jsonfile_path) and DynamicJSON (vendordata_dynamic_targets).'),
  vendordata_jsonfile_path: opt.str('', 'Path of the JSON file served as static vendordata.'),
  vendordata_dynamic_targets: opt.list([], 'Targets of the dynamic vendordata provider, each name@url.'),
  vendordata_dynamic_connect_timeout: opt.int(5, 'Seconds to wait for a connection to a dynamic vendordata target.', { min: 3 }),
  vendordata_dynamic_read_timeout: opt.int(5, 'Seconds to wait for the answer of a dynamic vendordata target.', { min: 0 }),
  vendordata_dynamic_failure_fatal: opt.bool(false, 'A failed dynamic vendordata target fails the request (otherwise it is left out).'),
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
  notify_on_state_change: opt.enum(['', 'vm_state', 'vm_and_task_state'], '', 'Send instance.update on every save of a server: with its vm state '
    + 'change when it has one (vm_state), or its vm or task state change (vm_and_task_state); empty: no instance.update (nova\'s None).'),
});

export const imageCacheGroup = defineGroup('image_cache', 'Image caches of the compute hosts (nova.conf [image_cache])', {
  precache_concurrency: opt.int(1, 'Compute hosts asked at once to pre-cache images for an aggregate (POST /os-aggregates/{id}/images).', { min: 1 }),
});

export const fakeDriverGroup = defineGroup('fake_driver', 'The fake virt driver (a simulated hypervisor)', {
  vcpus: opt.int(1000, 'VCPUs of each fake host.', { min: 1 }),
  memory_mb: opt.int(800000, 'Memory of each fake host, in MiB.', { min: 1 }),
  local_gb: opt.int(600000, 'Disk of each fake host, in GiB.', { min: 1 }),
  spawn_seconds: opt.float(0, 'Time spawning a guest takes.', { min: 0 }),
  destroy_seconds: opt.float(0, 'Time destroying a guest takes.', { min: 0 }),
  power_seconds: opt.float(0, 'Time a power on/off or reboot takes.', { min: 0 }),
  fail_spawn_hosts: opt.list([], 'Hosts whose spawns fail (to exercise rescheduling and failed builds).'),
  live_migration_seconds: opt.float(0, 'Time copying a guest in a live migration takes (it may be forced to complete or aborted meanwhile).', { min: 0 }),
  supports_migrate_to_same_host: opt.bool(false, 'A cold migration may stay on its host (the driver capability that reports COMPUTE_SAME_HOST_COLD_MIGRATE): off as nova\'s FakeDriver and libvirt, on as its SameHostColdMigrateDriver.'),
});

export const qemuGroup = defineGroup('qemu', 'The qemu virt driver (compute_driver = qemu)', {
  binary: opt.str('qemu-system-x86_64', 'The QEMU system emulator the guests run in.'),
  accel: opt.enum(['tcg', 'kvm', 'probe'], 'tcg', 'Accelerator: tcg (emulation, works everywhere), kvm (/dev/kvm), probe (kvm when a probe guest boots under it at start, tcg otherwise).'),
  machine: opt.str('pc', 'QEMU machine type (-machine).'),
  image_cache_subdirectory_name: opt.str('_base', 'Directory under instances_path for the base images downloaded from Glance.'),
  spawn_memory_check: opt.bool(true, 'Refuse to start a guest (InsufficientFreeMemory: the build is rescheduled) when the host\'s available memory (MemAvailable), less what the guests running or starting may still grow into, cannot hold the guest\'s RAM and QEMU\'s overhead (memory_overhead_mb, the TCG translation buffer, 16 MiB of VGA memory with VNC).'),
  tcg_tb_size_mb: opt.int(64, 'The TCG translation buffer of each guest in MiB (-accel tcg,tb-size): memory QEMU fills as it translates guest code, then flushes. 0: QEMU\'s default (1 GiB per guest).', { min: 0 }),
  memory_overhead_mb: opt.int(64, 'QEMU\'s own memory per guest in MiB (heap, threads, libraries; measured by bench/qemu-guest-memory.mjs), counted with the translation buffer and VGA memory by the spawn check.', { min: 0 }),
  live_migration_inbound_addr: opt.str('', "The address this host receives live migrations on (nova's [libvirt] live_migration_inbound_addr): the destination's QEMU listens there, in the host's network namespace, for the migration stream and the disks' NBD export. A comma-separated list of host=address gives each host of an all-in-one cloud playing several hosts ([DEFAULT] hosts) its own. Empty: the host's name."),
  live_migration_port_range: opt.str('49152:49215', "The TCP ports (MIN:MAX) a destination's QEMU listens on for a live migration's stream and its disks' NBD export, the first free ones (libvirt's migration_port_min and migration_port_max)."),
  host_namespace: opt.str('nubo-host-{host}', "The network namespace that plays the compute host's root namespace ({host}: the compute host): the guests' bridges and taps are made there and QEMU runs there to open them. It must be the namespace the host's Linux bridge agent works in (Neutron's [data_plane] host_namespace, the same default). Empty: the process's own namespace, as on a real compute node."),
});

// --- remote consoles (nova.conf [vnc], [spice], [serial_console], [rdp], [mks], [consoleauth]) ---
export const vncGroup = defineGroup('vnc', 'VNC consoles (nova.conf [vnc])', {
  enabled: opt.bool(true, 'Offer VNC consoles of the servers (os-getVNCConsole, remote-consoles protocol vnc); the qemu driver gives its guests a VGA display served by VNC.'),
  novncproxy_base_url: opt.str('http://127.0.0.1:6080/vnc_auto.html', 'Public URL of the noVNC proxy; a console URL is this with the token.'),
  server_listen: opt.str('127.0.0.1', 'The address the guests\' VNC servers listen on (the qemu driver; the port is the first free one from 5900).'),
  server_proxyclient_address: opt.str('127.0.0.1', 'The address of this compute host the noVNC proxy connects to for its guests\' VNC servers.'),
  novncproxy_host: opt.str('0.0.0.0', 'The address the noVNC proxy (role novncproxy) listens on.'),
  auth_schemes: opt.list(['none'], 'The RFB security types the noVNC proxy may use with the compute hosts\' VNC servers, in order of preference (only none; Nova\'s vencrypt is not done).'),
  novncproxy_port: opt.port(6080, 'The port the noVNC proxy listens on (0: a free one; novncproxy_base_url must then name it).'),
});

/** nova.conf [DEFAULT] web (nova/conf/novnc.py; nova-novncproxy defaults it to /usr/share/novnc). */
export const novncWebGroup = defineGroup('DEFAULT', 'The noVNC proxy\'s web files (nova.conf [DEFAULT])', {
  web: opt.str('/usr/share/novnc', 'Directory of the noVNC web client the noVNC proxy serves (vnc_lite.html, vnc.html, their scripts; Debian\'s package novnc installs it here).'),
});

/** nova.conf [console] (nova/conf/console.py). */
export const consoleGroup = defineGroup('console', 'Console proxies (nova.conf [console])', {
  allowed_origins: opt.list([], 'Host names, besides the proxy\'s own Host header, that a browser\'s Origin header may name when it opens a console.'),
});
export const spiceGroup = defineGroup('spice', 'SPICE consoles (nova.conf [spice])', {
  enabled: opt.bool(false, 'Offer SPICE consoles (type spice-html5).'),
  html5proxy_base_url: opt.str('http://127.0.0.1:6082/spice_auto.html', 'Public URL of the SPICE HTML5 proxy.'),
});
export const serialConsoleGroup = defineGroup('serial_console', 'Serial consoles (nova.conf [serial_console])', {
  enabled: opt.bool(false, 'Offer serial consoles (type serial).'),
  base_url: opt.str('ws://127.0.0.1:6083/', 'Public URL of the serial console proxy (a websocket).'),
  port_range: opt.str('10000:20000', 'The TCP ports (MIN:MAX) the guests\' serial consoles listen on, one per guest (the qemu driver).'),
  proxyclient_address: opt.str('127.0.0.1', 'The address the guests\' serial consoles listen on, which the serial proxy connects to.'),
  serialproxy_host: opt.str('0.0.0.0', 'The address the serial console proxy (role serialproxy) listens on.'),
  serialproxy_port: opt.port(6083, 'The port the serial console proxy listens on (0: a free one; base_url must then name it).'),
});
export const rdpGroup = defineGroup('rdp', 'RDP consoles (nova.conf [rdp])', {
  enabled: opt.bool(false, 'Offer RDP consoles (type rdp-html5).'),
  html5_proxy_base_url: opt.str('http://127.0.0.1:6083/', 'Public URL of the RDP HTML5 proxy.'),
});
export const mksGroup = defineGroup('mks', 'MKS consoles (nova.conf [mks])', {
  enabled: opt.bool(false, 'Offer WebMKS consoles (type webmks).'),
  mksproxy_base_url: opt.str('http://127.0.0.1:6090/', 'Public URL of the MKS proxy.'),
});
export const consoleAuthGroup = defineGroup('consoleauth', 'Console tokens (nova.conf [consoleauth])', {
  token_ttl: opt.int(600, 'Seconds a console token stays valid.', { min: 0 }),
});

/** The metadata API's options of nova.conf [neutron] (nova/conf/neutron.py). */
export const neutronMetadataGroup = defineGroup('neutron', 'Networking for Compute (nova.conf [neutron])', {
  service_metadata_proxy: opt.bool(false, "Neutron proxies metadata requests: instances are found by the signed X-Instance-ID header (else by the request's remote address)."),
  metadata_proxy_shared_secret: opt.str('', 'The secret Neutron signs X-Instance-ID with (HMAC-SHA256).', { secret: true }),
  default_floating_pool: opt.str('nova', 'The external network (name or id) os-floating-ips allocates from when no pool is asked.'),
});

export const conductorGroup = defineGroup('conductor', 'Conductor (nova.conf [conductor]; the build recovery options are Nubo\'s)', {
  recover_builds_on_start: opt.bool(true, 'At start, build again the servers left BUILDING with no host by a stopped cloud (always with the in-process bus, '
    + 'whose messages died with the process; with a broker only when no other conductor is up). Nova leaves them BUILDING for ever.'),
  hostless_build_timeout: opt.int(600, 'Seconds a server may stay BUILDING with no host and no change before a conductor builds it again '
    + '(its build request was lost); 0: never.', { min: 0 }),
  hostless_build_check_interval: opt.int(60, 'Seconds between the conductor\'s checks for such stuck builds.', { min: 1 }),
});

export const novaConfigGroups = [
  novaDefaultGroup, apiGroup, schedulerGroup, filterSchedulerGroup, quotaGroup, notificationsGroup, imageCacheGroup, fakeDriverGroup, qemuGroup,
  vncGroup, novncWebGroup, consoleGroup, spiceGroup, serialConsoleGroup, rdpGroup, mksGroup, consoleAuthGroup,
  neutronMetadataGroup, conductorGroup,
];
