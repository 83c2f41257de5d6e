/**
 * The attribute maps of QoS (neutron-lib api/definitions qos.py with qos-default,
 * qos-bw-limit-direction, qos-bw-minimum-ingress, qos-rule-type-details and qos-rules-alias):
 * policies, their bandwidth limit, DSCP marking and minimum bandwidth rules, the rule aliases
 * and the rule types.
 */
import type { AttrMap, AttrSpec } from './attributes/spec.js';
import { bool, c, id, name, readOnly, standardAttrs, tenantId, v } from './attributes/helpers.js';
import { DB_INTEGER_MAX_VALUE } from '../managers/qos/drivers.js';
import { EGRESS, VALID_DIRECTIONS, VALID_DSCP_MARKS } from '../types/qos.js';

export const qosPolicyAttrs: AttrMap = {
  id: id({ sort: true }),
  name: name(),
  shared: bool(false),
  tenant_id: tenantId(),
  rules: readOnly(),
  is_default: bool(false),
  ...standardAttrs({ sortable: true }),
};

const kbps = (extra: Partial<AttrSpec> = {}): AttrSpec => ({
  post: true, put: true, convert: c.toInt, validate: v.range(0, DB_INTEGER_MAX_VALUE), visible: true, filter: true, sort: true, ...extra,
});
const direction = (extra: Partial<AttrSpec> = {}): AttrSpec => ({
  post: true, put: true, default: EGRESS, validate: v.values(VALID_DIRECTIONS), visible: true, filter: true, sort: true, ...extra,
});
const dscpMark = (extra: Partial<AttrSpec> = {}): AttrSpec => ({
  post: true, put: true, convert: c.toInt, validate: v.values(VALID_DSCP_MARKS), visible: true, filter: true, sort: true, ...extra,
});

export const bandwidthLimitRuleAttrs: AttrMap = {
  id: id(),
  max_kbps: kbps(),
  max_burst_kbps: kbps({ default: 0 }),
  direction: direction(),
};

export const dscpMarkingRuleAttrs: AttrMap = {
  id: id(),
  dscp_mark: dscpMark(),
};

export const minimumBandwidthRuleAttrs: AttrMap = {
  id: id(),
  min_kbps: kbps(),
  direction: direction(),
};

/** qos-rules-alias: only PUT changes anything; the rule's project is its policy's. */
const aliasCommon: AttrMap = { id: id(), tenant_id: readOnly({ requiredByPolicy: true }) };
const putOnly = (spec: AttrSpec): AttrSpec => ({ ...spec, post: false });

export const aliasBandwidthLimitRuleAttrs: AttrMap = {
  ...aliasCommon, max_kbps: putOnly(kbps()), direction: putOnly(direction()), max_burst_kbps: putOnly(kbps({ default: 0 })),
};
export const aliasDscpMarkingRuleAttrs: AttrMap = { ...aliasCommon, dscp_mark: putOnly(dscpMark()) };
export const aliasMinimumBandwidthRuleAttrs: AttrMap = { ...aliasCommon, min_kbps: putOnly(kbps()), direction: putOnly(direction()) };

/** qos_policy_id on networks and ports. */
export const qosPolicyIdAttr: AttrSpec = { post: true, put: true, default: null, visible: true, enforcePolicy: true, validate: v.uuidOrNone };
