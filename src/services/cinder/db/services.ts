/**
 * The services table (cinder's Service objects): one row per host and binary
 * (cinder-scheduler, cinder-volume with host `host@backend`), heartbeats in updated_at, the
 * disabled flag os-services sets.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { isUniqueViolation, nowIso, toBool } from '../../../common/db/index.js';
import type { ServiceRecord } from './records.js';
import type { CinderDB, ServicesTable } from './schema.js';

function record(r: Selectable<ServicesTable>): ServiceRecord {
  return { ...r, disabled: toBool(r.disabled), frozen: toBool(r.frozen) };
}

export class ServiceRepo {
  constructor(private readonly db: Kysely<CinderDB>) {}

  /** The service's row, made when missing; its zone follows the configuration. */
  async ensure(host: string, binary: string, topic: string, zone: string): Promise<ServiceRecord> {
    const found = await this.get(host, binary);
    if (found) {
      if (found.availability_zone !== zone) await this.db.updateTable('services').set({ availability_zone: zone }).where('id', '=', found.id).execute();
      return { ...found, availability_zone: zone };
    }
    try {
      await this.db.insertInto('services').values({
        uuid: randomUUID(), host, binary, topic, availability_zone: zone, disabled: 0, disabled_reason: null, report_count: 0, frozen: 0, created_at: nowIso(), updated_at: null,
      }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    return (await this.get(host, binary))!;
  }

  async get(host: string, binary: string): Promise<ServiceRecord | undefined> {
    const row = await this.db.selectFrom('services').selectAll().where('host', '=', host).where('binary', '=', binary).executeTakeFirst();
    return row ? record(row) : undefined;
  }

  async list(): Promise<ServiceRecord[]> {
    return (await this.db.selectFrom('services').selectAll().orderBy('id').execute()).map(record);
  }

  async reportState(id: number): Promise<void> {
    await this.db.updateTable('services').set((eb) => ({ report_count: eb('report_count', '+', 1), updated_at: nowIso() })).where('id', '=', id).execute();
  }

  async setDisabled(id: number, disabled: boolean, reason: string | null): Promise<void> {
    await this.db.updateTable('services').set({ disabled: disabled ? 1 : 0, disabled_reason: reason, updated_at: nowIso() }).where('id', '=', id).execute();
  }
}
