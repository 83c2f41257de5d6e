/**
 * nova.objects.Instance: a server, with its flavor snapshot, metadata, system metadata, tags
 * and network info cache. The fields keep nova's names; the repository (db/instances.ts)
 * reads and writes them.
 */
import { NovaObject } from './base.js';
import type { Flavor } from './flavor.js';

/** One VIF of the network info cache (nova.network.model.VIF, as JSON). */
export interface VifInfo {
  id: string;
  address: string;
  network: {
    id: string;
    bridge: string | null;
    label: string;
    subnets: Array<{
      cidr: string | null;
      gateway: { address: string | null; type: string; version: number | null };
      ips: Array<{ address: string; type: 'fixed'; version: number; floating_ips: Array<{ address: string; type: 'floating'; version: number }> }>;
      dns: Array<{ address: string; type: 'dns'; version: number }>;
      routes: unknown[];
      version: number | null;
      /** dhcp_server, ipv6_address_mode (network model Subnet meta); absent in caches written before. */
      meta?: Record<string, unknown>;
    }>;
    meta: Record<string, unknown>;
  };
  type: string;
  details: Record<string, unknown>;
  devname: string;
  ovs_interfaceid: string | null;
  qbh_params: null;
  qbg_params: null;
  active: boolean;
  vnic_type: string;
  profile: Record<string, unknown>;
  preserve_on_delete: boolean;
  delegate_create: boolean;
  meta: Record<string, unknown>;
}

export interface InstanceFields {
  id: number;
  uuid: string;
  user_id: string;
  project_id: string;
  image_ref: string;
  hostname: string;
  display_name: string;
  display_description: string | null;
  host: string | null;
  node: string | null;
  launched_on: string | null;
  availability_zone: string | null;
  vm_state: string;
  task_state: string | null;
  power_state: number;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  instance_type_id: number | null;
  flavor: Flavor;
  key_name: string | null;
  key_data: string | null;
  user_data: string | null;
  reservation_id: string;
  launch_index: number;
  config_drive: string;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  locked: boolean;
  locked_by: string | null;
  root_device_name: string | null;
  auto_disk_config: boolean;
  progress: number | null;
  launched_at: string | null;
  terminated_at: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: boolean;
  metadata: Record<string, string>;
  system_metadata: Record<string, string>;
  tags: string[];
  /** The network info cache (nova's info_cache.network_info). */
  network_info: VifInfo[];
  /** Security group names the server was booted with (kept in system metadata by nova). */
  security_groups: string[];
}

export class Instance extends NovaObject<InstanceFields> {
  static readonly objName = 'Instance';
  static readonly VERSION = '2.7';

  get uuid(): string { return this.data.uuid; }

  /** The libvirt-style name (nova's instance_name_template 'instance-%08x'). */
  get name(): string { return `instance-${this.data.id.toString(16).padStart(8, '0')}`; }
}
