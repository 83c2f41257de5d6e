/**
 * The rule tables of QoS policies (neutron/objects/qos/rule.py): one table per rule type, the
 * fields each type has, what makes two rules of a policy duplicates (the same type, and for
 * the bandwidth rules the same direction), and the rules of many policies at once in
 * VALID_RULE_TYPES order, as a policy's `rules` list shows them.
 */
import type { Db } from '../../db/store.js';
import {
  type QosRule, RULE_TYPE_BANDWIDTH_LIMIT, RULE_TYPE_DSCP_MARKING, RULE_TYPE_MINIMUM_BANDWIDTH, type RuleType,
} from '../../types/qos.js';

export type RuleTable = 'qos_bandwidth_limit_rules' | 'qos_dscp_marking_rules' | 'qos_minimum_bandwidth_rules';

export interface RuleKind {
  type: RuleType;
  table: RuleTable;
  /** The type's own fields (besides id and qos_policy_id). */
  fields: readonly string[];
  /** duplicates_compare_fields */
  duplicateFields: readonly string[];
}

export const RULE_KINDS: Readonly<Record<RuleType, RuleKind>> = {
  [RULE_TYPE_BANDWIDTH_LIMIT]: { type: RULE_TYPE_BANDWIDTH_LIMIT, table: 'qos_bandwidth_limit_rules', fields: ['max_kbps', 'max_burst_kbps', 'direction'], duplicateFields: ['direction'] },
  [RULE_TYPE_DSCP_MARKING]: { type: RULE_TYPE_DSCP_MARKING, table: 'qos_dscp_marking_rules', fields: ['dscp_mark'], duplicateFields: [] },
  [RULE_TYPE_MINIMUM_BANDWIDTH]: { type: RULE_TYPE_MINIMUM_BANDWIDTH, table: 'qos_minimum_bandwidth_rules', fields: ['min_kbps', 'direction'], duplicateFields: ['direction'] },
};

const ORDER: readonly RuleType[] = [RULE_TYPE_BANDWIDTH_LIMIT, RULE_TYPE_DSCP_MARKING, RULE_TYPE_MINIMUM_BANDWIDTH];

type RuleRow = Record<string, unknown> & { id: string; qos_policy_id: string };

/** A row of `kind`'s table as a typed rule. */
export function ruleOf(kind: RuleKind, row: RuleRow): QosRule {
  const out: Record<string, unknown> = { id: row.id, qos_policy_id: row.qos_policy_id, type: kind.type };
  for (const f of kind.fields) out[f] = f === 'direction' ? String(row[f]) : Number(row[f]);
  return out as unknown as QosRule;
}

/** The rules of each policy. */
export async function rulesOf(db: Db, policyIds: readonly string[]): Promise<Map<string, QosRule[]>> {
  const out = new Map<string, QosRule[]>();
  if (policyIds.length === 0) return out;
  for (const type of ORDER) {
    const kind = RULE_KINDS[type];
    const rows = await db.selectFrom(kind.table).selectAll().where('qos_policy_id', 'in', [...policyIds]).orderBy('id').execute();
    for (const r of rows as RuleRow[]) {
      const list = out.get(r.qos_policy_id) ?? [];
      list.push(ruleOf(kind, r));
      out.set(r.qos_policy_id, list);
    }
  }
  return out;
}

/** QosRule.duplicates */
export function duplicates(a: QosRule, b: QosRule): boolean {
  if (a.type !== b.type) return false;
  const fields = RULE_KINDS[a.type].duplicateFields;
  return fields.every((f) => (a as unknown as Record<string, unknown>)[f] === (b as unknown as Record<string, unknown>)[f]);
}
