/**
 * The services table (nova.objects.Service over nova.db.main.api): one row per nova-conductor,
 * nova-scheduler and nova-compute process (binary, host), its heartbeat (report_count and
 * updated_at, nova's DB servicegroup driver), and its enabled/disabled/forced-down state.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { insertIgnore, nowIso, toBool } from '../../../common/db/index.js';
import type { NovaDB, ServicesTable } from './schema.js';

export interface ServiceRecord {
  id: number;
  uuid: string;
  host: string;
  binary: string;
  topic: string | null;
  report_count: number;
  disabled: boolean;
  disabled_reason: string | null;
  forced_down: boolean;
  last_seen_up: string | null;
  version: number;
  created_at: string;
  updated_at: string | null;
}

function toRecord(row: Selectable<ServicesTable>): ServiceRecord {
  return {
    id: row.id, uuid: row.uuid, host: row.host, binary: row.binary, topic: row.topic, report_count: row.report_count,
    disabled: toBool(row.disabled), disabled_reason: row.disabled_reason, forced_down: toBool(row.forced_down),
    last_seen_up: row.last_seen_up, version: row.version, created_at: row.created_at, updated_at: row.updated_at,
  };
}

/** The nova service version this code writes (nova 26's SERVICE_VERSION). */
export const SERVICE_VERSION = 66;

export class ServiceRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** The live service record of (host, binary), created when missing (Service.create on first start). */
  async ensure(host: string, binary: string, topic: string | null): Promise<ServiceRecord> {
    const now = nowIso();
    await insertIgnore(this.db, 'services', {
      uuid: randomUUID(), host, binary, topic, report_count: 0, disabled: 0, forced_down: 0, version: SERVICE_VERSION, created_at: now, updated_at: now,
      deleted_at: null, last_seen_up: now, disabled_reason: null,
    });
    await this.db.updateTable('services').set({ version: SERVICE_VERSION, topic }).where('host', '=', host).where('binary', '=', binary).where('deleted', '=', 0).execute();
    return (await this.get(host, binary))!;
  }

  async get(host: string, binary: string): Promise<ServiceRecord | undefined> {
    const row = await this.db.selectFrom('services').selectAll().where('host', '=', host).where('binary', '=', binary).where('deleted', '=', 0).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async list(filters: { binary?: string; host?: string } = {}): Promise<ServiceRecord[]> {
    let q = this.db.selectFrom('services').selectAll().where('deleted', '=', 0);
    if (filters.binary) q = q.where('binary', '=', filters.binary);
    if (filters.host) q = q.where('host', '=', filters.host);
    return (await q.orderBy('id').execute()).map(toRecord);
  }

  /** A live service by its id, or by its uuid (from 2.53). */
  async find(by: { id: number } | { uuid: string }): Promise<ServiceRecord | undefined> {
    let q = this.db.selectFrom('services').selectAll().where('deleted', '=', 0);
    q = 'id' in by ? q.where('id', '=', by.id) : q.where('uuid', '=', by.uuid);
    const row = await q.executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  /** Service.save of what an administrator changes: enabled/disabled (with a reason) and forced_down. */
  async update(id: number, changes: { disabled?: boolean; disabled_reason?: string | null; forced_down?: boolean }): Promise<void> {
    await this.db.updateTable('services').set({
      ...(changes.disabled !== undefined ? { disabled: changes.disabled ? 1 : 0 } : {}),
      ...(changes.disabled_reason !== undefined ? { disabled_reason: changes.disabled_reason } : {}),
      ...(changes.forced_down !== undefined ? { forced_down: changes.forced_down ? 1 : 0 } : {}),
      updated_at: nowIso(),
    }).where('id', '=', id).where('deleted', '=', 0).execute();
  }

  /** Service.destroy: soft-deleted (deleted = id), so the host can register again. */
  async destroy(id: number): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('services').set({ deleted: id, deleted_at: now, updated_at: now }).where('id', '=', id).execute();
  }

  /** One heartbeat: report_count + 1, updated_at and last_seen_up now. */
  async reportState(id: number): Promise<void> {
    const now = nowIso();
    await this.db.updateTable('services').set((eb) => ({ report_count: eb('report_count', '+', 1), updated_at: now, last_seen_up: now })).where('id', '=', id).execute();
  }
}

/** nova's servicegroup DB driver: up when not forced down and heard from within service_down_time. */
export function serviceIsUp(service: Pick<ServiceRecord, 'forced_down' | 'last_seen_up' | 'updated_at' | 'created_at'>, downTimeSeconds: number, now = Date.now()): boolean {
  if (service.forced_down) return false;
  const last = service.last_seen_up ?? service.updated_at ?? service.created_at;
  return now - Date.parse(last) <= downTimeSeconds * 1000;
}
