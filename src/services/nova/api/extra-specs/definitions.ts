/**
 * The extra specs nova knows (nova/api/validation/extra_specs/*.py as registered through the
 * `nova.api.extra_spec_validators` entry point in Zed), generated from nova 26's modules: the
 * name with its `{parameter}` placeholders, the value's type and its enum, pattern or bounds.
 * Two entries stand for the generated lists of upstream: `trait{group}:{trait}` for every
 * os-traits name and `resources{group}:{resource}` for every os-resource-classes standard
 * class (both upper-case with underscores; the CUSTOM_ entries are upstream's own).
 */

export interface ExtraSpecDefinition {
  name: string;
  type: 'str' | 'int' | 'bool';
  enum?: string[];
  /** A Python regular expression the whole value must match. */
  pattern?: string;
  min?: number;
  max?: number;
  /** What each `{name}` placeholder of the name stands for. */
  parameters?: Array<{ name: string; pattern: string }>;
}

export const EXTRA_SPEC_DEFINITIONS: readonly ExtraSpecDefinition[] = [
  // nova/api/validation/extra_specs/accel.py
  { name: "accel:device_profile", type: "str" },
  // nova/api/validation/extra_specs/aggregate_instance_extra_specs.py
  { name: "aggregate_instance_extra_specs:{key}", type: "str", parameters: [{ name: "key", pattern: ".+" }] },
  // nova/api/validation/extra_specs/capabilities.py
  { name: "capabilities:id", type: "str" },
  { name: "capabilities:uuid", type: "str" },
  { name: "capabilities:service_id", type: "str" },
  { name: "capabilities:host", type: "str" },
  { name: "capabilities:vcpus", type: "str" },
  { name: "capabilities:memory_mb", type: "str" },
  { name: "capabilities:local_gb", type: "str" },
  { name: "capabilities:vcpus_used", type: "str" },
  { name: "capabilities:memory_mb_used", type: "str" },
  { name: "capabilities:local_gb_used", type: "str" },
  { name: "capabilities:hypervisor_type", type: "str" },
  { name: "capabilities:hypervisor_version", type: "str" },
  { name: "capabilities:hypervisor_hostname", type: "str" },
  { name: "capabilities:free_ram_mb", type: "str" },
  { name: "capabilities:free_disk_gb", type: "str" },
  { name: "capabilities:current_workload", type: "str" },
  { name: "capabilities:running_vms", type: "str" },
  { name: "capabilities:disk_available_least", type: "str" },
  { name: "capabilities:host_ip", type: "str" },
  { name: "capabilities:mapped", type: "str" },
  { name: "capabilities:cpu_allocation_ratio", type: "str" },
  { name: "capabilities:ram_allocation_ratio", type: "str" },
  { name: "capabilities:disk_allocation_ratio", type: "str" },
  { name: "capabilities:total_usable_ram_mb", type: "str" },
  { name: "capabilities:total_usable_disk_gb", type: "str" },
  { name: "capabilities:disk_mb_used", type: "str" },
  { name: "capabilities:free_disk_mb", type: "str" },
  { name: "capabilities:vcpus_total", type: "str" },
  { name: "capabilities:vcpus_used", type: "str" },
  { name: "capabilities:num_instances", type: "str" },
  { name: "capabilities:num_io_ops", type: "str" },
  { name: "capabilities:failed_builds", type: "str" },
  { name: "capabilities:aggregates", type: "str" },
  { name: "capabilities:cell_uuid", type: "str" },
  { name: "capabilities:updated", type: "str" },
  { name: "capabilities:cpu_info{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:metrics{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:stats{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:numa_topology{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:supported_hv_specs{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:pci_device_pools{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:nodename{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:pci_stats{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:supported_instances{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:limits{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  { name: "capabilities:instances{filter}", type: "str", parameters: [{ name: "filter", pattern: "(:\\w+)*" }] },
  // nova/api/validation/extra_specs/hw.py
  { name: "hw:cpu_realtime", type: "bool" },
  { name: "hw:cpu_realtime_mask", type: "str", pattern: "(\\^)?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*" },
  { name: "hw:hide_hypervisor_id", type: "bool" },
  { name: "hw:cpu_policy", type: "str", enum: ["dedicated", "shared", "mixed"] },
  { name: "hw:cpu_thread_policy", type: "str", enum: ["prefer", "isolate", "require"] },
  { name: "hw:emulator_threads_policy", type: "str", enum: ["isolate", "share"] },
  { name: "hw:cpu_dedicated_mask", type: "str", pattern: "\\^?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*" },
  { name: "hw:mem_page_size", type: "str", pattern: "(large|small|any|\\d+([kKMGT]i?)?(b|bit|B)?)" },
  { name: "hw:locked_memory", type: "bool" },
  { name: "hw:numa_nodes", type: "int", min: 1 },
  { name: "hw:numa_cpus.{num}", type: "str", pattern: "\\^?\\d+((-\\d+)?(,\\^?\\d+(-\\d+)?)?)*", parameters: [{ name: "num", pattern: "\\d+" }] },
  { name: "hw:numa_mem.{num}", type: "int", min: 1, parameters: [{ name: "num", pattern: "\\d+" }] },
  { name: "hw:pci_numa_affinity_policy", type: "str", enum: ["required", "preferred", "legacy", "socket"] },
  { name: "hw:cpu_sockets", type: "int", min: 1 },
  { name: "hw:cpu_cores", type: "int", min: 1 },
  { name: "hw:cpu_threads", type: "int", min: 1 },
  { name: "hw:max_cpu_sockets", type: "int", min: 1 },
  { name: "hw:max_cpu_cores", type: "int", min: 1 },
  { name: "hw:max_cpu_threads", type: "int", min: 1 },
  { name: "hw:boot_menu", type: "bool" },
  { name: "hw:vif_multiqueue_enabled", type: "bool" },
  { name: "hw:mem_encryption", type: "bool" },
  { name: "hw:pmem", type: "str", pattern: "([a-zA-Z0-9_]+(,)?)+" },
  { name: "hw:pmu", type: "bool" },
  { name: "hw:serial_port_count", type: "int", min: 0 },
  { name: "hw:tpm_model", type: "str", enum: ["tpm-tis", "tpm-crb"] },
  { name: "hw:tpm_version", type: "str", enum: ["1.2", "2.0"] },
  { name: "hw:watchdog_action", type: "str", enum: ["none", "pause", "poweroff", "reset", "disabled"] },
  { name: "hw:viommu_model", type: "str", enum: ["intel", "smmuv3", "virtio", "auto"] },
  { name: "hw:ephemeral_encryption", type: "bool" },
  { name: "hw:ephemeral_encryption_format", type: "str", enum: ["plain", "luks", "luksv2"] },
  // nova/api/validation/extra_specs/hw_rng.py
  { name: "hw_rng:allowed", type: "bool" },
  { name: "hw_rng:rate_bytes", type: "int", min: 0 },
  { name: "hw_rng:rate_period", type: "int", min: 0 },
  // nova/api/validation/extra_specs/hw_video.py
  { name: "hw_video:ram_max_mb", type: "int", min: 0 },
  // nova/api/validation/extra_specs/null.py
  { name: "hide_hypervisor_id", type: "bool" },
  { name: "group_policy", type: "str", enum: ["isolate", "none"] },
  // nova/api/validation/extra_specs/os.py
  { name: "os:secure_boot", type: "str", enum: ["disabled", "required"] },
  { name: "os:resolution", type: "str", enum: ["1024x768", "1280x1024", "1600x1200", "1920x1200", "2560x1600", "3840x2160"] },
  { name: "os:monitors", type: "int", min: 1, max: 8 },
  { name: "os:vram", type: "str", enum: ["64", "128", "256", "512", "1024"] },
  // nova/api/validation/extra_specs/pci_passthrough.py
  { name: "pci_passthrough:alias", type: "str", pattern: "[^:]+:\\d+(?:\\s*,\\s*[^:]+:\\d+)*" },
  // nova/api/validation/extra_specs/quota.py
  { name: "quota:cpu_limit", type: "int", min: 0 },
  { name: "quota:cpu_reservation", type: "int" },
  { name: "quota:cpu_shares_level", type: "str", enum: ["custom", "high", "normal", "low"] },
  { name: "quota:cpu_shares_share", type: "int", min: 0 },
  { name: "quota:memory_limit", type: "int", min: 0 },
  { name: "quota:memory_reservation", type: "int" },
  { name: "quota:memory_shares_level", type: "str", enum: ["custom", "high", "normal", "low"] },
  { name: "quota:memory_shares_share", type: "int", min: 0 },
  { name: "quota:disk_io_limit", type: "int", min: 0 },
  { name: "quota:disk_io_reservation", type: "int" },
  { name: "quota:disk_io_shares_level", type: "str", enum: ["custom", "high", "normal", "low"] },
  { name: "quota:disk_io_shares_share", type: "int", min: 0 },
  { name: "quota:vif_limit", type: "int", min: 0 },
  { name: "quota:vif_reservation", type: "int" },
  { name: "quota:vif_shares_level", type: "str", enum: ["custom", "high", "normal", "low"] },
  { name: "quota:vif_shares_share", type: "int", min: 0 },
  { name: "quota:cpu_shares", type: "int", min: 0 },
  { name: "quota:cpu_period", type: "int", min: 0 },
  { name: "quota:cpu_quota", type: "int" },
  { name: "quota:disk_read_bytes_sec", type: "int", min: 0 },
  { name: "quota:disk_read_iops_sec", type: "int", min: 0 },
  { name: "quota:disk_write_bytes_sec", type: "int", min: 0 },
  { name: "quota:disk_write_iops_sec", type: "int", min: 0 },
  { name: "quota:disk_total_bytes_sec", type: "int", min: 0 },
  { name: "quota:disk_total_iops_sec", type: "int", min: 0 },
  { name: "quota:vif_inbound_average", type: "int", min: 0 },
  { name: "quota:vif_inbound_peak", type: "int", min: 0 },
  { name: "quota:vif_inbound_burst", type: "int", min: 0 },
  { name: "quota:vif_outbound_average", type: "int", min: 0 },
  { name: "quota:vif_outbound_peak", type: "int", min: 0 },
  { name: "quota:vif_outbound_burst", type: "int", min: 0 },
  // nova/api/validation/extra_specs/resources.py
  { name: "resources{group}:{resource}", type: "int", parameters: [{ name: "group", pattern: "([a-zA-Z0-9_-]{1,64})?" }, { name: "resource", pattern: "[A-Z0-9_]+" }] },
  { name: "resources{group}:CUSTOM_{resource}", type: "int", parameters: [{ name: "group", pattern: "([a-zA-Z0-9_-]{1,64})?" }, { name: "resource", pattern: "[A-Z0-9_]+" }] },
  // nova/api/validation/extra_specs/traits.py
  { name: "trait{group}:{trait}", type: "str", enum: ["required", "forbidden"], parameters: [{ name: "group", pattern: "([a-zA-Z0-9_-]{1,64})?" }, { name: "trait", pattern: "[A-Z0-9_]+" }] },
  { name: "trait{group}:CUSTOM_{trait}", type: "str", enum: ["required", "forbidden"], parameters: [{ name: "group", pattern: "([a-zA-Z0-9_-]{1,64})?" }, { name: "trait", pattern: "[A-Z0-9_]+" }] },
  // nova/api/validation/extra_specs/vmware.py
  { name: "vmware:hw_version", type: "str" },
  { name: "vmware:storage_policy", type: "str" },
];
