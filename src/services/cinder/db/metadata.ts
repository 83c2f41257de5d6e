/**
 * Key/value tables (volume metadata and admin metadata, snapshot metadata, type extra specs):
 * read for many owners at once, replaced whole or merged key by key.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CinderDB } from './schema.js';

type Table = 'volume_metadata' | 'volume_admin_metadata' | 'volume_glance_metadata' | 'snapshot_metadata' | 'volume_type_extra_specs' | 'backup_metadata';
const OWNER: Record<Table, 'volume_id' | 'snapshot_id' | 'volume_type_id' | 'backup_id'> = {
  volume_metadata: 'volume_id', volume_admin_metadata: 'volume_id', volume_glance_metadata: 'volume_id', snapshot_metadata: 'snapshot_id', volume_type_extra_specs: 'volume_type_id', backup_metadata: 'backup_id',
};

export class KeyValueRepo {
  private readonly owner: 'volume_id' | 'snapshot_id' | 'volume_type_id' | 'backup_id';

  constructor(private readonly db: Kysely<CinderDB>, private readonly table: Table) {
    this.owner = OWNER[table];
  }

  async get(ownerId: string): Promise<Record<string, string>> {
    return (await this.many([ownerId])).get(ownerId) ?? {};
  }

  async many(ownerIds: readonly string[]): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    if (ownerIds.length === 0) return out;
    const db = this.db as unknown as Kysely<any>;
    for (let i = 0; i < ownerIds.length; i += 500) {
      const rows: Array<{ owner: string; key: string; value: string }> = await db.selectFrom(this.table)
        .select([`${this.owner} as owner`, 'key', 'value']).where(this.owner, 'in', ownerIds.slice(i, i + 500)).orderBy('id').execute();
      for (const r of rows) {
        const m = out.get(r.owner) ?? {};
        m[r.key] = r.value;
        out.set(r.owner, m);
      }
    }
    return out;
  }

  /** Set these keys (others stay unless `replace`); returns the whole result (only the entries within a caller's transaction). */
  async set(ownerId: string, entries: Record<string, string>, replace: boolean, trx?: Transaction<CinderDB>): Promise<Record<string, string>> {
    const run = async (t: Kysely<any>): Promise<void> => {
      if (replace) await t.deleteFrom(this.table).where(this.owner, '=', ownerId).execute();
      for (const [key, value] of Object.entries(entries)) {
        await t.deleteFrom(this.table).where(this.owner, '=', ownerId).where('key', '=', key).execute();
        await t.insertInto(this.table).values({ [this.owner]: ownerId, key, value }).execute();
      }
    };
    if (trx) {
      // inside the caller's transaction: reading through this.db would wait for its connection
      await run(trx as unknown as Kysely<any>);
      return entries;
    }
    await this.db.transaction().execute((t) => run(t as unknown as Kysely<any>));
    return this.get(ownerId);
  }

  /** Remove one key; whether it was there. */
  async remove(ownerId: string, key: string): Promise<boolean> {
    const db = this.db as unknown as Kysely<any>;
    const res = await db.deleteFrom(this.table).where(this.owner, '=', ownerId).where('key', '=', key).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async removeAll(ownerId: string): Promise<void> {
    const db = this.db as unknown as Kysely<any>;
    await db.deleteFrom(this.table).where(this.owner, '=', ownerId).execute();
  }
}
