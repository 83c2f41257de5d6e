/**
 * Cinder's usage notifications (cinder/volume/volume_utils.py notify_about_volume_usage,
 * notify_about_snapshot_usage, notify_about_backup_usage): `volume.<action>.<phase>` from
 * publisher `volume.<host>`, `snapshot.<action>.<phase>` from `snapshot.<host>` and
 * `backup.<action>.<phase>` from `backup.<host>`, priority INFO, with upstream's payloads
 * (`_usage_from_volume`, `_usage_from_snapshot`, `_usage_from_backup`). `<host>` is the
 * service's [DEFAULT] host, as upstream's CONF.host. They go out when
 * [oslo_messaging_notifications] driver is not noop (upstream's if_notifications_enabled).
 * The context is the one of the request or RPC call that caused the work (the notifier
 * takes the current scope's); a notification that cannot be sent is logged, never thrown.
 */
import type { Config } from '../../common/config/index.js';
import { Notifier, osloMessagingNotificationsGroup, type Transport } from '../../common/messaging/index.js';
import type { BackupRecord } from './db/backups.js';
import type { AttachmentRecord, SnapshotRecord, VolumeRecord } from './db/records.js';

export type VolumeEvent = 'create' | 'delete' | 'resize' | 'attach' | 'detach' | 'revert';
export type SnapshotEvent = 'create' | 'delete' | 'revert';
export type BackupEvent = 'create' | 'delete' | 'restore';
export type Phase = 'start' | 'end';

/** Python's datetime.isoformat() of a stored time (no `Z`, as upstream's naive UTC times). */
const isoformat = (t: string | null | undefined): string => (t ?? new Date().toISOString()).replace(/Z$/, '').replace(/\.000$/, '');

function attachmentRow(a: AttachmentRecord): Record<string, unknown> {
  return {
    id: a.id, volume_id: a.volume_id, instance_uuid: a.instance_uuid, attached_host: a.attached_host, mountpoint: a.mountpoint,
    attach_time: a.attach_time, detach_time: a.detach_time, attach_mode: a.attach_mode, attach_status: a.attach_status,
    connector: a.connector, created_at: a.created_at, updated_at: a.updated_at, deleted: false,
  };
}

/** `_usage_from_volume`. */
export function volumeUsage(v: VolumeRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    tenant_id: v.project_id,
    host: v.host,
    user_id: v.user_id,
    availability_zone: v.availability_zone,
    volume_id: v.id,
    volume_type: v.volume_type_id,
    display_name: v.display_name,
    launched_at: isoformat(v.launched_at),
    created_at: isoformat(v.created_at),
    status: v.status === 'error_managing_deleting' ? 'deleting' : v.status,
    snapshot_id: v.snapshot_id,
    size: v.size,
    replication_status: v.replication_status,
    replication_extended_status: null,
    replication_driver_data: null,
    metadata: Object.entries(v.metadata).map(([key, value]) => ({ key, value })),
    ...extra,
    volume_attachment: v.attachments.map(attachmentRow),
  };
  if (Object.keys(v.image_metadata).length > 0) usage['glance_metadata'] = Object.entries(v.image_metadata).map(([key, value]) => ({ key, value }));
  return usage;
}

/** `_usage_from_snapshot`: the volume (possibly deleted) gives the zone. */
export function snapshotUsage(s: SnapshotRecord, volume: VolumeRecord | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant_id: s.project_id,
    user_id: s.user_id,
    availability_zone: volume?.availability_zone ?? null,
    volume_id: s.volume_id,
    volume_size: s.volume_size,
    snapshot_id: s.id,
    display_name: s.display_name,
    created_at: isoformat(s.created_at),
    status: s.status,
    deleted: String(s.deleted),
    metadata: Object.entries(s.metadata).map(([k, v]) => `${k}=${v}`).join(', '),
    ...extra,
  };
}

/** `_usage_from_backup`. */
export function backupUsage(b: BackupRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant_id: b.project_id,
    user_id: b.user_id,
    availability_zone: b.availability_zone,
    backup_id: b.id,
    host: b.host,
    display_name: b.display_name,
    created_at: isoformat(b.created_at),
    status: b.status,
    volume_id: b.volume_id,
    size: b.size,
    service_metadata: b.service_metadata,
    service: b.service,
    fail_reason: b.fail_reason,
    parent_id: b.parent_id,
    num_dependent_backups: b.num_dependent_backups,
    snapshot_id: b.snapshot_id,
    ...extra,
  };
}

/** What the managers send through; `null` when notifications are off. */
export class CinderNotifier {
  private readonly volume: Notifier;
  private readonly snapshot: Notifier;
  private readonly backup: Notifier;

  private constructor(base: Notifier, host: string) {
    this.volume = base.prepare({ publisherId: `volume.${host}` });
    this.snapshot = base.prepare({ publisherId: `snapshot.${host}` });
    this.backup = base.prepare({ publisherId: `backup.${host}` });
  }

  static create(transport: Transport, config: Config, host: string): CinderNotifier | null {
    const { driver, topics } = config.get(osloMessagingNotificationsGroup);
    if (driver === 'noop') return null;
    return new CinderNotifier(new Notifier(transport, { publisherId: `volume.${host}`, topics: [...topics] }), host);
  }

  /** The context is the current scope's (the call that caused the work). */
  volumeUsage(v: VolumeRecord, event: VolumeEvent, phase: Phase, extra?: Record<string, unknown>): Promise<void> {
    return this.volume.info(undefined, `volume.${event}.${phase}`, volumeUsage(v, extra));
  }

  snapshotUsage(s: SnapshotRecord, volume: VolumeRecord | undefined, event: SnapshotEvent, phase: Phase): Promise<void> {
    return this.snapshot.info(undefined, `snapshot.${event}.${phase}`, snapshotUsage(s, volume));
  }

  backupUsage(b: BackupRecord, event: BackupEvent, phase: Phase): Promise<void> {
    return this.backup.info(undefined, `backup.${event}.${phase}`, backupUsage(b));
  }
}
