/**
 * The OAuth1 Manager (keystone/oauth1/core.py), for consumers: the registrations delegation
 * clients use, over an OAuth1Driver (backends/base.ts) chosen by `[oauth1] driver`. The secret
 * is generated at creation and only shown then. (The OAuth1 request/access token flow itself is
 * not implemented.)
 */
import { checkLength, ConsumerNotFound, ValidationError } from '../errors.js';
import { newId } from '../db/rows.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { ConsumerRecord, OAuth1Driver } from './backends/base.js';
import { extraAttributes } from '../lib/extra-attributes.js';

const ATTRS = new Set(['id', 'description', 'secret']);
const extraOf = (ref: Record<string, unknown>): Record<string, unknown> => extraAttributes(ref, ATTRS);

/** A consumer as the API creates or updates it. */
export interface ConsumerInput {
  description?: string | null;
  [extra: string]: unknown;
}

export class ConsumerManager {
  constructor(private readonly driver: OAuth1Driver, private readonly deps: { audit: IdentityAudit }) {}

  async getConsumer(id: string): Promise<ConsumerRecord> {
    const consumer = await this.driver.getConsumer(id);
    if (!consumer) throw new ConsumerNotFound(id);
    return consumer;
  }

  listConsumers(): Promise<ConsumerRecord[]> {
    return this.driver.listConsumers();
  }

  /** Creates a consumer; the result carries the secret (this one time). */
  async createConsumer(input: ConsumerInput): Promise<ConsumerRecord & { secret: string }> {
    checkLength(input.description, 64);
    const id = newId();
    const secret = newId();
    await this.driver.createConsumer({ id, description: (input.description as string | null | undefined) ?? null, secret, extra: extraOf(input) });
    this.deps.audit.created('OS-OAUTH1:consumer', id);
    return { ...(await this.getConsumer(id)), secret };
  }

  async updateConsumer(id: string, changes: ConsumerInput): Promise<ConsumerRecord> {
    const current = await this.getConsumer(id);
    if ('secret' in changes) throw new ValidationError('Cannot change consumer secret');
    checkLength(changes.description, 64);
    await this.driver.updateConsumer(id, {
      description: 'description' in changes ? ((changes.description as string | null) ?? null) : current.description,
      extra: { ...extraOf(current), ...extraOf(changes) },
    });
    this.deps.audit.updated('OS-OAUTH1:consumer', id);
    return this.getConsumer(id);
  }

  async deleteConsumer(id: string): Promise<void> {
    await this.getConsumer(id);
    await this.driver.deleteConsumer(id);
    this.deps.audit.deleted('OS-OAUTH1:consumer', id);
  }
}
