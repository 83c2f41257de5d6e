/**
 * The rules of QoS policies (QoSPlugin create/update/delete/get_policy_rule and the
 * qos-rules-alias variants without the policy in the URL): a rule lives in one policy the
 * caller can see (QosPolicyNotFound, QosRuleNotFound); a policy holds one rule per type and
 * direction (QoSRulesConflict), a bandwidth limit no lower than its minimum bandwidth
 * (QoSRuleParameterConflict), and only rules every port it applies to supports
 * (QosRuleNotSupported). A change publishes qos_policy after_update with those ports, whose
 * agents then re-apply the policy.
 */
import { randomUUID } from 'node:crypto';
import type { NeutronContext } from '../../common/context.js';
import type { EventRegistry } from '../../common/events.js';
import { applyFilters, type ListQuery, type ListSpec, runPaged, stringColumns, columnsOf } from '../../db/listing.js';
import { type Db, now, type Store } from '../../db/store.js';
import { HTTPNotFound, QoSRuleParameterConflict, QoSRulesConflict, QosRuleNotFound } from '../../errors.js';
import type { WriteOptions } from '../../types/common.js';
import { type QosRule, type QosRuleInput, RULE_TYPE_BANDWIDTH_LIMIT, RULE_TYPE_MINIMUM_BANDWIDTH, type RuleType } from '../../types/qos.js';
import type { OwnerLookups, PolicyAttributes, ResourceHandlers } from '../types.js';
import type { QosBindings } from './bindings.js';
import type { QosPolicyManager } from './policies.js';
import { duplicates, RULE_KINDS, type RuleKind, ruleOf, rulesOf, type RuleTable } from './rule-store.js';

/** A rule as its own API shows it (the policy's `rules` list adds `type` and `qos_policy_id`, which the attribute map hides here). */
export type RuleRecord = QosRule;

function listSpec(kind: RuleKind): ListSpec<RuleTable> {
  const ints = kind.fields.filter((f) => f !== 'direction');
  return {
    table: kind.table,
    columns: {
      ...stringColumns<RuleTable>('id', ...(kind.fields.includes('direction') ? ['direction' as never] : [])),
      ...columnsOf<RuleTable>('int', ...(ints as never[])),
    },
  } as ListSpec<RuleTable>;
}

/** check_bandwidth_rule_conflict: a limit under an existing minimum, or a minimum over an existing limit. */
function checkBandwidthConflict(policyId: string, rules: readonly QosRule[], data: QosRuleInput): void {
  for (const rule of rules) {
    if (rule.type === RULE_TYPE_MINIMUM_BANDWIDTH && data.max_kbps !== undefined && rule.min_kbps > data.max_kbps) {
      throw new QoSRuleParameterConflict(data.max_kbps, policyId, rule.type, rule.min_kbps);
    }
    if (rule.type === RULE_TYPE_BANDWIDTH_LIMIT && data.min_kbps !== undefined && rule.max_kbps < data.min_kbps) {
      throw new QoSRuleParameterConflict(data.min_kbps, policyId, rule.type, rule.max_kbps);
    }
  }
}

/** check_rules_conflict */
function checkDuplicates(policyId: string, rules: readonly QosRule[], rule: QosRule): void {
  for (const other of rules) {
    if (other.id !== rule.id && duplicates(other, rule)) throw new QoSRulesConflict(rule.type, other.id, policyId);
  }
}

export class QosRuleManager implements ResourceHandlers<RuleRecord, QosRuleInput, QosRuleInput> {
  private readonly kind: RuleKind;

  constructor(
    type: RuleType, private readonly store: Store, private readonly policies: QosPolicyManager, private readonly bindings: QosBindings,
    private readonly events: EventRegistry,
  ) {
    this.kind = RULE_KINDS[type];
  }

  async list(ctx: NeutronContext, q: ListQuery, policyId = ''): Promise<RuleRecord[]> {
    await this.policies.getRow(ctx, policyId);
    const s = listSpec(this.kind);
    const qb = applyFilters(this.store.db.selectFrom(this.kind.table).selectAll().where('qos_policy_id', '=', policyId), s, q.filters);
    return (await runPaged(this.store.db, qb, s, q)).map((r) => ruleOf(this.kind, r as never));
  }

  private async find(db: Db, id: string): Promise<QosRule | undefined> {
    const row = await db.selectFrom(this.kind.table).selectAll().where('id', '=', id).executeTakeFirst();
    return row ? ruleOf(this.kind, row as never) : undefined;
  }

  /** The rule in the policy the caller sees. */
  private async inPolicy(ctx: NeutronContext, db: Db, id: string, policyId: string): Promise<QosRule> {
    await this.policies.getRow(ctx, policyId, db);
    const rule = await this.find(db, id);
    if (!rule || rule.qos_policy_id !== policyId) throw new QosRuleNotFound(policyId, id);
    return rule;
  }

  get(ctx: NeutronContext, id: string, policyId = ''): Promise<RuleRecord> {
    return this.inPolicy(ctx, this.store.db, id, policyId);
  }

  /** The policy's rules after `rule` is written, checked against the policy and the ports it applies to. */
  private async write(tx: Db, policyId: string, data: QosRuleInput, rule: QosRule, isNew: boolean): Promise<void> {
    const rules = (await rulesOf(tx, [policyId])).get(policyId) ?? [];
    checkBandwidthConflict(policyId, rules, data);
    checkDuplicates(policyId, rules, rule);
    const values: Record<string, unknown> = {};
    for (const f of this.kind.fields) values[f] = (rule as unknown as Record<string, unknown>)[f];
    if (isNew) await tx.insertInto(this.kind.table).values({ id: rule.id, qos_policy_id: policyId, ...values } as never).execute();
    else await tx.updateTable(this.kind.table).set(values as never).where('id', '=', rule.id).execute();
    await this.bindings.validatePolicy(tx, policyId);
    await tx.updateTable('qos_policies').set({ updated_at: now() }).where('id', '=', policyId).execute();
  }

  private async changed(ctx: NeutronContext, policyId: string): Promise<void> {
    const ports = await this.bindings.portsWithPolicy(this.store.db, policyId);
    await this.events.publish('qos_policy', 'after_update', { ctx, policyId, portIds: ports.map((p) => p.id) });
  }

  async create(ctx: NeutronContext, input: QosRuleInput, policyId = ''): Promise<RuleRecord> {
    const rule = { id: randomUUID(), qos_policy_id: policyId, type: this.kind.type, ...input } as QosRule;
    await this.store.write(async (tx) => {
      await this.policies.getRow(ctx, policyId, tx);
      await this.write(tx, policyId, input, rule, true);
    });
    await this.changed(ctx, policyId);
    return rule;
  }

  async update(ctx: NeutronContext, id: string, input: QosRuleInput, _opts: WriteOptions, policyId = ''): Promise<RuleRecord> {
    const rule = await this.store.write(async (tx) => {
      const current = await this.inPolicy(ctx, tx, id, policyId);
      const next = { ...current, ...input } as QosRule;
      await this.write(tx, policyId, input, next, false);
      return next;
    });
    await this.changed(ctx, policyId);
    return rule;
  }

  async delete(ctx: NeutronContext, id: string, _opts: WriteOptions, policyId = ''): Promise<void> {
    await this.store.write(async (tx) => {
      await this.inPolicy(ctx, tx, id, policyId);
      await tx.deleteFrom(this.kind.table).where('id', '=', id).execute();
    });
    await this.changed(ctx, policyId);
  }

  /** The rule's policy owner is `ext_parent` (ADMIN_OR_PARENT_OWNER_* rules). */
  async policyAttributes(_ctx: NeutronContext, item: RuleRecord | QosRuleInput, parentId: string | undefined, _lookups: OwnerLookups): Promise<PolicyAttributes> {
    const policyId = parentId ?? ('qos_policy_id' in item ? item.qos_policy_id : '');
    const row = await this.store.db.selectFrom('qos_policies').select('project_id').where('id', '=', policyId).executeTakeFirst();
    return row ? { 'ext_parent:project_id': row.project_id, 'ext_parent:tenant_id': row.project_id } : {};
  }

  /** qos-rules-alias: the policy of a rule given by id alone (_get_policy_id). */
  async policyOf(id: string): Promise<string> {
    const rule = await this.find(this.store.db, id);
    if (!rule) throw new QosRuleNotFound('', id);
    return rule.qos_policy_id;
  }
}

/** /v2.0/qos/alias_<type>_rules/{id}: GET, PUT and DELETE of a rule without its policy in the URL. */
export class QosRuleAliasHandlers implements ResourceHandlers<RuleRecord, never, QosRuleInput> {
  constructor(private readonly rules: QosRuleManager) {}

  async list(): Promise<RuleRecord[]> {
    throw new HTTPNotFound('The resource could not be found.');
  }

  async get(ctx: NeutronContext, id: string): Promise<RuleRecord> {
    return this.rules.get(ctx, id, await this.rules.policyOf(id));
  }

  async update(ctx: NeutronContext, id: string, input: QosRuleInput, opts: WriteOptions): Promise<RuleRecord> {
    return this.rules.update(ctx, id, input, opts, await this.rules.policyOf(id));
  }

  async delete(ctx: NeutronContext, id: string, opts: WriteOptions): Promise<void> {
    await this.rules.delete(ctx, id, opts, await this.rules.policyOf(id));
  }

  policyAttributes(ctx: NeutronContext, item: RuleRecord, parentId: string | undefined, lookups: OwnerLookups): Promise<PolicyAttributes> {
    return this.rules.policyAttributes(ctx, item, parentId, lookups);
  }
}
