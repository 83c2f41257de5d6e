/** Policy blobs (keystone/policy/core.py): opaque documents stored for services to fetch. */
import { PolicyNotFound, ValidationError } from '../errors.js';
import type { ManagerContext } from '../manager-context.js';
import { jsonText, newId, parseJsonObject } from '../db/rows.js';
import { applyHints, Hints } from '../lib/hints.js';

export interface PolicyBlobRecord {
  id: string;
  type: string;
  blob: string;
  [extra: string]: unknown;
}

const ATTRS = new Set(['id', 'type', 'blob']);
const extraOf = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !ATTRS.has(k)));

export class PolicyBlobManager {
  constructor(private readonly ctx: ManagerContext) {}

  async getPolicy(id: string): Promise<PolicyBlobRecord> {
    const row = await this.ctx.db.selectFrom('policy').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.id !== id) throw new PolicyNotFound(id);
    return { ...parseJsonObject(row.extra), id: row.id, type: row.type, blob: row.blob };
  }

  async listPolicies(hints: Hints = new Hints()): Promise<PolicyBlobRecord[]> {
    let q = this.ctx.db.selectFrom('policy').selectAll();
    const type = hints.take('type');
    if (type !== undefined) q = q.where('type', '=', type);
    const rows = await q.orderBy('id').execute();
    return applyHints(rows.map((r) => ({ ...parseJsonObject(r.extra), id: r.id, type: r.type, blob: r.blob })), hints);
  }

  async createPolicy(input: Record<string, unknown>): Promise<PolicyBlobRecord> {
    const id = newId();
    await this.ctx.db.insertInto('policy').values({ id, type: String(input.type), blob: String(input.blob), extra: jsonText(extraOf(input)) }).execute();
    this.ctx.audit.created('policy', id);
    return this.getPolicy(id);
  }

  async updatePolicy(id: string, changes: Record<string, unknown>): Promise<PolicyBlobRecord> {
    const current = await this.getPolicy(id);
    if ('id' in changes && changes.id !== id) throw new ValidationError('Cannot change policy ID');
    await this.ctx.db.updateTable('policy').set({
      type: 'type' in changes ? String(changes.type) : current.type,
      blob: 'blob' in changes ? String(changes.blob) : current.blob,
      extra: jsonText({ ...extraOf(current), ...extraOf(changes) }),
    }).where('id', '=', id).execute();
    this.ctx.audit.updated('policy', id);
    return this.getPolicy(id);
  }

  async deletePolicy(id: string): Promise<void> {
    await this.getPolicy(id);
    await this.ctx.db.deleteFrom('policy').where('id', '=', id).execute();
    this.ctx.audit.deleted('policy', id);
  }
}
