/** The SQL OAuth1 driver (keystone/oauth1/backends/sql.py): the `consumer` table. */
import type { Kysely } from 'kysely';
import type { ConsumerTable, KeystoneDB } from '../../db/schema.js';
import { jsonText, parseJsonObject } from '../../db/rows.js';
import type { ConsumerCreate, ConsumerRecord, OAuth1Driver } from './base.js';

const toRecord = (r: ConsumerTable): ConsumerRecord => ({ ...parseJsonObject(r.extra), id: r.id, description: r.description });

export class SqlOAuth1Driver implements OAuth1Driver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async getConsumer(id: string): Promise<ConsumerRecord | undefined> {
    const row = await this.db.selectFrom('consumer').selectAll().where('id', '=', id).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    return row && row.id === id ? toRecord(row) : undefined;
  }

  async listConsumers(): Promise<ConsumerRecord[]> {
    return (await this.db.selectFrom('consumer').selectAll().orderBy('id').execute()).map(toRecord);
  }

  async createConsumer(c: ConsumerCreate): Promise<void> {
    await this.db.insertInto('consumer').values({ id: c.id, description: c.description, secret: c.secret, extra: jsonText(c.extra) }).execute();
  }

  async updateConsumer(id: string, u: { description: string | null; extra: Record<string, unknown> }): Promise<void> {
    await this.db.updateTable('consumer').set({ description: u.description, extra: jsonText(u.extra) }).where('id', '=', id).execute();
  }

  async deleteConsumer(id: string): Promise<void> {
    await this.db.deleteFrom('consumer').where('id', '=', id).execute();
  }
}
