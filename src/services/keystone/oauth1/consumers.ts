/**
 * OAuth1 consumers (keystone/oauth1/core.py): the registrations delegation clients use. The
 * secret is generated at creation and only shown then. (The OAuth1 request/access token flow
 * itself is not implemented.)
 */
import { checkLength, ConsumerNotFound, ValidationError } from '../errors.js';
import type { ManagerContext } from '../manager-context.js';
import { jsonText, newId, parseJsonObject } from '../db/rows.js';
import type { ConsumerTable } from '../db/schema.js';

export interface ConsumerRecord {
  id: string;
  description: string | null;
  [extra: string]: unknown;
}

const ATTRS = new Set(['id', 'description', 'secret']);
const extraOf = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !ATTRS.has(k)));
const toRecord = (r: ConsumerTable): ConsumerRecord => ({ ...parseJsonObject(r.extra), id: r.id, description: r.description });

export class ConsumerManager {
  constructor(private readonly ctx: ManagerContext) {}

  async getConsumer(id: string): Promise<ConsumerRecord> {
    const row = await this.ctx.db.selectFrom('consumer').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || row.id !== id) throw new ConsumerNotFound(id);
    return toRecord(row);
  }

  async listConsumers(): Promise<ConsumerRecord[]> {
    return (await this.ctx.db.selectFrom('consumer').selectAll().orderBy('id').execute()).map(toRecord);
  }

  /** Creates a consumer; the result carries the secret (this one time). */
  async createConsumer(input: Record<string, unknown>): Promise<ConsumerRecord & { secret: string }> {
    checkLength(input.description, 64);
    const id = newId();
    const secret = newId();
    await this.ctx.db.insertInto('consumer').values({
      id, description: (input.description as string | null | undefined) ?? null, secret, extra: jsonText(extraOf(input)),
    }).execute();
    this.ctx.audit.created('OS-OAUTH1:consumer', id);
    return { ...(await this.getConsumer(id)), secret };
  }

  async updateConsumer(id: string, changes: Record<string, unknown>): Promise<ConsumerRecord> {
    const current = await this.getConsumer(id);
    if ('secret' in changes) throw new ValidationError('Cannot change consumer secret');
    checkLength(changes.description, 64);
    await this.ctx.db.updateTable('consumer').set({
      description: 'description' in changes ? ((changes.description as string | null) ?? null) : current.description,
      extra: jsonText({ ...extraOf(current), ...extraOf(changes) }),
    }).where('id', '=', id).execute();
    this.ctx.audit.updated('OS-OAUTH1:consumer', id);
    return this.getConsumer(id);
  }

  async deleteConsumer(id: string): Promise<void> {
    await this.getConsumer(id);
    await this.ctx.db.deleteFrom('consumer').where('id', '=', id).execute();
    this.ctx.audit.deleted('OS-OAUTH1:consumer', id);
  }
}
