/**
 * The response bodies (cinder/api/v3/views/*.py): volumes in summary and detail with the
 * fields each microversion adds and the admin-only extended attributes, volume types,
 * snapshots and attachments; times as Cinder prints them (`2024-05-01T12:00:00.000000`).
 */
import type { AttachmentRecord, SnapshotRecord, VolumeRecord, VolumeTypeRecord } from '../db/records.js';
import type { Caller } from './request.js';

export function cinderTime(iso: string | null): string | null {
  return iso === null ? null : iso.replace(/Z$/, '').replace(/(T\d{2}:\d{2}:\d{2})$/, '$1.000000');
}

export class Links {
  constructor(private readonly baseUrl: string) {}

  /** `<base>/v3/<project>/...` (self) and `<base>/<project>/...` (bookmark). */
  of(project: string, collection: string, id: string): Array<{ href: string; rel: string }> {
    return [
      { href: `${this.baseUrl}/v3/${project}/${collection}/${id}`, rel: 'self' },
      { href: `${this.baseUrl}/${project}/${collection}/${id}`, rel: 'bookmark' },
    ];
  }

  collection(project: string, path: string): string {
    return `${this.baseUrl}/v3/${project}/${path}`;
  }
}

export interface VolumeViewOptions {
  tenantAttribute: boolean;
  hostAttribute: boolean;
  migStatusAttribute: boolean;
  /** volume_image_metadata of a volume made from an image. */
  imageMetadata: boolean;
}

/** utils.add_visible_admin_metadata: the readonly and attached_mode admin metadata show among the metadata. */
function visibleMetadata(v: VolumeRecord): Record<string, string> {
  const out = { ...v.metadata };
  for (const k of ['readonly', 'attached_mode']) if (v.admin_metadata[k] !== undefined) out[k] = v.admin_metadata[k]!;
  return out;
}

export function volumeSummary(v: VolumeRecord, c: Caller, links: Links): Record<string, unknown> {
  return { id: v.id, name: v.display_name, links: links.of(c.urlProject, 'volumes', v.id) };
}

export function volumeAttachmentsView(v: VolumeRecord, isAdmin: boolean): Array<Record<string, unknown>> {
  return v.attachments.filter((a) => a.attach_status === 'attached').map((a) => ({
    id: v.id, attachment_id: a.id, volume_id: v.id, server_id: a.instance_uuid, host_name: isAdmin ? a.attached_host : null,
    device: a.mountpoint, attached_at: cinderTime(a.attach_time),
  }));
}

export function volumeDetail(v: VolumeRecord, c: Caller, links: Links, o: VolumeViewOptions): Record<string, unknown> {
  const status = ({ managing: 'creating', error_managing: 'error', error_managing_deleting: 'deleting' } as Record<string, string>)[v.status] ?? v.status;
  const view: Record<string, unknown> = {
    id: v.id, status, size: v.size, availability_zone: v.availability_zone, created_at: cinderTime(v.created_at), updated_at: cinderTime(v.updated_at),
    name: v.display_name, description: v.display_description, volume_type: v.volume_type?.name ?? v.volume_type_id,
    snapshot_id: v.snapshot_id, source_volid: v.source_volid, metadata: visibleMetadata(v), links: links.of(c.urlProject, 'volumes', v.id),
    user_id: v.user_id, bootable: String(v.bootable), encrypted: v.encryption_key_id !== null, replication_status: v.replication_status,
    consistencygroup_id: null, multiattach: v.multiattach, attachments: volumeAttachmentsView(v, c.isAdmin),
  };
  if (c.isAdmin) view['migration_status'] = v.migration_status;
  if (o.tenantAttribute) view['os-vol-tenant-attr:tenant_id'] = v.project_id;
  if (o.hostAttribute) view['os-vol-host-attr:host'] = v.host;
  if (o.migStatusAttribute) {
    view['os-vol-mig-status-attr:migstat'] = v.migration_status;
    view['os-vol-mig-status-attr:name_id'] = null;
  }
  if (o.imageMetadata && Object.keys(v.image_metadata).length > 0) view['volume_image_metadata'] = v.image_metadata;
  const ver = c.version;
  if (ver.atLeast('3.13')) view['group_id'] = v.group_id ?? null;
  if (c.isAdmin && ver.atLeast('3.21')) view['provider_id'] = null;
  if (ver.atLeast('3.48')) {
    view['shared_targets'] = ver.atLeast('3.69') ? v.shared_targets : (v.shared_targets ?? true);
    view['service_uuid'] = v.service_uuid;
  }
  if (c.isAdmin && ver.atLeast('3.61')) view['cluster_name'] = null;
  if (ver.atLeast('3.63')) view['volume_type_id'] = v.volume_type_id;
  if (ver.atLeast('3.64') && v.encryption_key_id) view['encryption_key_id'] = v.encryption_key_id;
  if (ver.atLeast('3.65')) view['consumes_quota'] = v.use_quota;
  return view;
}

/** Extra specs any reader of a type sees (type_extra_specs.USER_VISIBLE_EXTRA_SPECS); the others need read_sensitive. */
const USER_VISIBLE_EXTRA_SPECS = ['RESKEY:availability_zones', 'multiattach', 'replication_enabled'];

export function visibleExtraSpecs(specs: Record<string, string>, sensitive: boolean): Record<string, string> {
  return sensitive ? specs : Object.fromEntries(Object.entries(specs).filter(([k]) => USER_VISIBLE_EXTRA_SPECS.includes(k)));
}

/** cinder/api/views/types.py; os-volume-type-access:is_public where the access extension adds it (show, list, create; not update). */
export function volumeTypeView(t: VolumeTypeRecord, o: { sensitiveSpecs: boolean; accessExtension: boolean }): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: t.id, name: t.name, is_public: t.is_public, extra_specs: visibleExtraSpecs(t.extra_specs, o.sensitiveSpecs), description: t.description,
  };
  if (o.accessExtension) view['os-volume-type-access:is_public'] = t.is_public;
  return view;
}

export function snapshotView(s: SnapshotRecord, c: Caller, extended: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: s.id, created_at: cinderTime(s.created_at), updated_at: cinderTime(s.updated_at), name: s.display_name, description: s.display_description,
    volume_id: s.volume_id, status: s.status, size: s.volume_size, metadata: s.metadata,
  };
  if (extended) {
    view['os-extended-snapshot-attributes:project_id'] = s.project_id;
    view['os-extended-snapshot-attributes:progress'] = s.progress;
  }
  if (c.version.atLeast('3.14')) view['group_snapshot_id'] = s.group_snapshot_id ?? null;
  if (c.version.atLeast('3.41')) view['user_id'] = s.user_id;
  if (c.version.atLeast('3.65')) view['consumes_quota'] = s.use_quota;
  return view;
}

export function attachmentSummary(a: AttachmentRecord): Record<string, unknown> {
  return { id: a.id, status: a.attach_status, instance: a.instance_uuid, volume_id: a.volume_id };
}

export function attachmentDetail(a: AttachmentRecord): Record<string, unknown> {
  return {
    id: a.id, status: a.attach_status, instance: a.instance_uuid, volume_id: a.volume_id, attached_at: cinderTime(a.attach_time),
    detached_at: cinderTime(a.detach_time), attach_mode: a.attach_mode, connection_info: a.connection_info,
  };
}
