/**
 * Server bodies as the Compute API shows them per microversion
 * (nova/api/openstack/compute/views/servers.py and views/addresses.py): the create answer, the
 * basic view of GET /servers, and the detailed view of show and /servers/detail with the
 * extended attributes (admin), the fault (ERROR/DELETED), the flavor as a link (before 2.47) or
 * inline (2.47+), locked (2.9), description (2.19), tags (2.26), host_status (2.16),
 * trusted_image_certificates (2.63), locked_reason (2.73), hostname (2.90), server_groups (2.71).
 */
import { createHash } from 'node:crypto';
import { Address6 } from 'ip-address';
import type { APIVersion } from '../../../../common/http/microversion.js';
import type { FaultRecord } from '../../db/faults.js';
import type { Instance } from '../../objects/index.js';
import type { LinkBuilder } from '../links.js';
import { statusFromState } from './status.js';

export type HostStatus = 'UP' | 'DOWN' | 'MAINTENANCE' | 'UNKNOWN' | '';

export interface ServerViewOptions {
  version: APIVersion;
  links: LinkBuilder;
  isAdmin: boolean;
  /** os_compute_api:os-extended-server-attributes. */
  showExtendedAttributes: boolean;
  /** servers:show:flavor-extra-specs (2.47+). */
  showExtraSpecs: boolean;
  /** Latest fault per instance. */
  faults: ReadonlyMap<string, FaultRecord>;
  /** Host status per instance (2.16+, when policy lets the caller see it). */
  hostStatus?: ReadonlyMap<string, HostStatus>;
  /** Server group per instance (2.71+: show, update and rebuild). */
  serverGroups?: ReadonlyMap<string, string[]>;
  /** Addresses without OS-EXT-IPS:type and OS-EXT-IPS-MAC:mac_addr (update and rebuild before 2.75: show(extend_address=False)). */
  plainAddresses?: boolean;
  /** Volumes attached per instance. */
  volumes?: ReadonlyMap<string, ReadonlyArray<{ volume_id: string; delete_on_termination: boolean }>>;
}

type Body = Record<string, unknown>;

const PROGRESS_STATUSES = new Set(['ACTIVE', 'BUILD', 'REBUILD', 'RESIZE', 'VERIFY_RESIZE', 'MIGRATING']);
const FAULT_STATUSES = new Set(['ERROR', 'DELETED']);

/** An IPv6 address as nova's IPV6AddressField gives it back (netaddr's compressed form). */
function canonicalIPv6(address: string): string {
  try {
    return new Address6(address).correctForm();
  } catch {
    return address; // stored before validation existed: shown as it is
  }
}

/** nova's utils.generate_hostid: sha224 of project id and host, '' without a host. */
export function hostId(host: string | null, projectId: string): string {
  return host ? createHash('sha224').update(projectId + host).digest('hex') : '';
}

/** A stored time as nova's str(datetime) in JSON ('2017-02-14T19:24:00.000000'). */
function usageTime(t: string | null): string | null {
  return t ? t.replace(/Z$/, '').replace(/(T\d{2}:\d{2}:\d{2})$/, '$1.000000') : null;
}

export function serverStatus(instance: Instance): string {
  return instance.data.deleted ? 'DELETED' : statusFromState(instance.data.vm_state, instance.data.task_state);
}

/** addresses: network label -> addresses (hidden while the server builds). */
export function addressesView(instance: Instance, extended = true): Record<string, Body[]> {
  const out: Record<string, Body[]> = {};
  if (instance.data.vm_state === 'building') return out;
  for (const vif of instance.data.network_info) {
    const list = (out[vif.network.label] ??= []);
    for (const subnet of vif.network.subnets) {
      for (const ip of subnet.ips) {
        list.push(extended ? { version: ip.version, addr: ip.address, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': vif.address } : { version: ip.version, addr: ip.address });
        for (const fip of ip.floating_ips) {
          list.push(extended ? { version: fip.version, addr: fip.address, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': vif.address } : { version: fip.version, addr: fip.address });
        }
      }
    }
  }
  return out;
}

/** The groups of the server's ports (nova's _add_security_grps: no key for a server without ports or groups). */
function securityGroups(instance: Instance): Array<{ name: string }> | undefined {
  if (instance.data.network_info.length === 0 || instance.data.security_groups.length === 0) return undefined;
  return [...new Set(instance.data.security_groups)].map((name) => ({ name }));
}

/** The 202 answer of POST /servers. */
export function createView(instance: Instance, links: LinkBuilder, requestedGroups: Array<{ name: string }> | undefined, adminPass: string | null): Body {
  const server: Body = {
    id: instance.uuid,
    links: links.resource('servers', instance.uuid),
    'OS-DCF:diskConfig': instance.data.auto_disk_config ? 'AUTO' : 'MANUAL',
    security_groups: requestedGroups ?? [{ name: 'default' }],
  };
  if (adminPass !== null) server['adminPass'] = adminPass;
  return { server };
}

/** An entry of GET /servers. */
export function basicView(instance: Instance, links: LinkBuilder): Body {
  return { id: instance.uuid, name: instance.data.display_name, links: links.resource('servers', instance.uuid) };
}

function flavorView(instance: Instance, o: ServerViewOptions): Body {
  const f = instance.data.flavor.data;
  if (o.version.atLeast('2.47')) {
    const view: Body = { vcpus: f.vcpus, ram: f.memory_mb, disk: f.root_gb, ephemeral: f.ephemeral_gb, swap: f.swap, original_name: f.name };
    if (o.showExtraSpecs) view['extra_specs'] = f.extra_specs;
    return view;
  }
  return { id: f.flavorid, links: o.links.bookmark('flavors', f.flavorid) };
}

function faultView(fault: FaultRecord | undefined, isAdmin: boolean): Body | undefined {
  if (!fault) return undefined;
  const view: Body = { code: fault.code, created: fault.created_at, message: fault.message };
  if (fault.details && (isAdmin || fault.code !== 500)) view['details'] = fault.details;
  return view;
}

/** The detailed view (GET /servers/{id}, /servers/detail). */
export function detailView(instance: Instance, o: ServerViewOptions): Body {
  const i = instance.data;
  const v = o.version;
  const status = serverStatus(instance);
  const s: Body = {
    id: i.uuid,
    name: i.display_name,
    status,
    tenant_id: i.project_id,
    user_id: i.user_id,
    metadata: i.metadata,
    hostId: hostId(i.host, i.project_id),
    image: i.image_ref ? { id: i.image_ref, links: o.links.bookmark('images', i.image_ref) } : '',
    flavor: flavorView(instance, o),
    created: i.created_at,
    updated: i.updated_at ?? i.created_at,
    addresses: addressesView(instance, !o.plainAddresses),
    accessIPv4: i.access_ip_v4 ?? '',
    accessIPv6: i.access_ip_v6 ? canonicalIPv6(i.access_ip_v6) : '',
    links: o.links.resource('servers', i.uuid),
    'OS-DCF:diskConfig': i.auto_disk_config ? 'AUTO' : 'MANUAL',
  };
  if (FAULT_STATUSES.has(status)) {
    const fault = faultView(o.faults.get(i.uuid), o.isAdmin);
    if (fault) s['fault'] = fault;
  }
  if (PROGRESS_STATUSES.has(status)) s['progress'] = i.progress ?? 0;
  s['OS-EXT-AZ:availability_zone'] = i.availability_zone ?? '';
  s['config_drive'] = i.config_drive;
  s['key_name'] = i.key_name;
  s['OS-SRV-USG:launched_at'] = usageTime(i.launched_at);
  s['OS-SRV-USG:terminated_at'] = usageTime(i.terminated_at);
  const groups = securityGroups(instance);
  if (groups) s['security_groups'] = groups;
  if (o.showExtendedAttributes) {
    s['OS-EXT-SRV-ATTR:host'] = i.host;
    s['OS-EXT-SRV-ATTR:instance_name'] = instance.name;
    s['OS-EXT-SRV-ATTR:hypervisor_hostname'] = i.node;
    if (v.atLeast('2.3')) {
      s['OS-EXT-SRV-ATTR:reservation_id'] = i.reservation_id;
      s['OS-EXT-SRV-ATTR:launch_index'] = i.launch_index;
      s['OS-EXT-SRV-ATTR:hostname'] = i.hostname;
      s['OS-EXT-SRV-ATTR:kernel_id'] = '';
      s['OS-EXT-SRV-ATTR:ramdisk_id'] = '';
      s['OS-EXT-SRV-ATTR:root_device_name'] = i.root_device_name;
      s['OS-EXT-SRV-ATTR:user_data'] = i.user_data;
    }
  }
  s['OS-EXT-STS:task_state'] = i.task_state;
  s['OS-EXT-STS:vm_state'] = i.vm_state;
  s['OS-EXT-STS:power_state'] = i.power_state;
  s['os-extended-volumes:volumes_attached'] = (o.volumes?.get(i.uuid) ?? [])
    .map((vol) => (v.atLeast('2.3') ? { id: vol.volume_id, delete_on_termination: vol.delete_on_termination } : { id: vol.volume_id }));
  if (v.atLeast('2.16')) {
    const hs = o.hostStatus?.get(i.uuid);
    if (hs !== undefined) s['host_status'] = hs;
  }
  if (v.atLeast('2.9')) s['locked'] = i.locked;
  if (v.atLeast('2.73')) s['locked_reason'] = i.system_metadata['locked_reason'] ?? null;
  if (v.atLeast('2.19')) s['description'] = i.display_description;
  if (v.atLeast('2.26')) s['tags'] = i.tags;
  if (v.atLeast('2.63')) s['trusted_image_certificates'] = null;
  if (v.atLeast('2.90') && !o.showExtendedAttributes) s['OS-EXT-SRV-ATTR:hostname'] = i.hostname;
  const sg = o.serverGroups?.get(i.uuid);
  if (sg) s['server_groups'] = sg;
  return s;
}
