/** The SQL policy driver (keystone/policy/backends/sql.py): the `policy` table. */
import type { Kysely, Selectable } from 'kysely';
import type { KeystoneDB, PolicyBlobTable } from '../../db/schema.js';
import { jsonText, parseJsonObject } from '../../db/rows.js';
import { applyHints, type Hints } from '../../lib/hints.js';
import type { PolicyBlobCreate, PolicyBlobRecord, PolicyDriver } from './base.js';

const toRecord = (r: Selectable<PolicyBlobTable>): PolicyBlobRecord => ({ ...parseJsonObject(r.extra), id: r.id, type: r.type, blob: r.blob });

export class SqlPolicyDriver implements PolicyDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async getPolicy(id: string): Promise<PolicyBlobRecord | undefined> {
    const row = await this.db.selectFrom('policy').selectAll().where('id', '=', id).executeTakeFirst();
    // MariaDB compares ids case-insensitively.
    return row && row.id === id ? toRecord(row) : undefined;
  }

  async listPolicies(hints: Hints): Promise<PolicyBlobRecord[]> {
    let q = this.db.selectFrom('policy').selectAll();
    const type = hints.take('type');
    if (type !== undefined) q = q.where('type', '=', type);
    return applyHints((await q.orderBy('id').execute()).map(toRecord), hints);
  }

  async createPolicy(p: PolicyBlobCreate): Promise<void> {
    await this.db.insertInto('policy').values({ id: p.id, type: p.type, blob: p.blob, extra: jsonText(p.extra) }).execute();
  }

  async updatePolicy(id: string, u: Omit<PolicyBlobCreate, 'id'>): Promise<void> {
    await this.db.updateTable('policy').set({ type: u.type, blob: u.blob, extra: jsonText(u.extra) }).where('id', '=', id).execute();
  }

  async deletePolicy(id: string): Promise<void> {
    await this.db.deleteFrom('policy').where('id', '=', id).execute();
  }
}
