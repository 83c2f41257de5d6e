/**
 * A record as a response shows it (neutron/api/v2/base.py _exclude_attributes_by_policy and
 * _filter_attributes): without the attributes the attribute map does not show or policy
 * hides from the caller (`get_network:provider:network_type`), then only the `fields` asked
 * for, when any.
 */
import type { NeutronContext } from '../common/context.js';
import type { AttrMap } from './attributes/spec.js';
import { type Fields, fieldsOf } from './fields.js';
import type { NeutronPolicy } from './policy.js';

/** `record` as `ctx` may see it; `target` is its policy target, `showAction` the get rule. */
export function view(policy: NeutronPolicy, ctx: NeutronContext, showAction: string, target: Fields, attrs: AttrMap, record: object, fields: readonly string[]): Fields {
  const hidden = new Set(policy.hiddenAttributes(ctx, showAction, target, attrs));
  const visible: Fields = {};
  for (const [k, v] of Object.entries(fieldsOf(record))) if (!hidden.has(k)) visible[k] = v;
  if (fields.length === 0) return visible;
  const out: Fields = {};
  for (const f of fields) if (Object.hasOwn(visible, f)) out[f] = visible[f];
  return out;
}
