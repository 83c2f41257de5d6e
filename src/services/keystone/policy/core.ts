/**
 * The policy Manager (keystone/policy/core.py): opaque policy documents stored for services to
 * fetch, over a PolicyDriver (backends/base.ts) chosen by `[policy] driver`.
 */
import { PolicyNotFound, ValidationError } from '../errors.js';
import { newId } from '../db/rows.js';
import { extraAttributes } from '../lib/extra-attributes.js';
import { Hints } from '../lib/hints.js';
import type { KeystoneEvents } from '../events.js';
import type { IdentityAudit } from '../rpc/audit.js';
import type { PolicyBlobRecord, PolicyDriver } from './backends/base.js';

const ATTRS = new Set(['id', 'type', 'blob']);
const extraOf = (ref: Record<string, unknown>): Record<string, unknown> => extraAttributes(ref, ATTRS);

/** A policy blob as the API creates or updates it. */
export interface PolicyInput {
  type?: unknown;
  blob?: unknown;
  [extra: string]: unknown;
}

export class PolicyBlobManager {
  constructor(private readonly driver: PolicyDriver, private readonly deps: { audit: IdentityAudit; events: KeystoneEvents }) {}

  async getPolicy(id: string): Promise<PolicyBlobRecord> {
    const policy = await this.driver.getPolicy(id);
    if (!policy) throw new PolicyNotFound(id);
    return policy;
  }

  listPolicies(hints: Hints = new Hints()): Promise<PolicyBlobRecord[]> {
    return this.driver.listPolicies(hints);
  }

  async createPolicy(input: PolicyInput): Promise<PolicyBlobRecord> {
    const id = newId();
    await this.driver.createPolicy({ id, type: String(input.type), blob: String(input.blob), extra: extraOf(input) });
    this.deps.audit.created('policy', id);
    return this.getPolicy(id);
  }

  async updatePolicy(id: string, changes: PolicyInput): Promise<PolicyBlobRecord> {
    const current = await this.getPolicy(id);
    if ('id' in changes && changes.id !== id) throw new ValidationError('Cannot change policy ID');
    await this.driver.updatePolicy(id, {
      type: 'type' in changes ? String(changes.type) : current.type,
      blob: 'blob' in changes ? String(changes.blob) : current.blob,
      extra: { ...extraOf(current), ...extraOf(changes) },
    });
    this.deps.audit.updated('policy', id);
    return this.getPolicy(id);
  }

  async deletePolicy(id: string): Promise<void> {
    await this.getPolicy(id);
    await this.driver.deletePolicy(id);
    await this.deps.events.emit('policy.deleted', { policyId: id });
    this.deps.audit.deleted('policy', id);
  }
}
