/** QoS policies and rules as the API shows them, and what creating or updating them takes. */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';

export const RULE_TYPE_BANDWIDTH_LIMIT = 'bandwidth_limit';
export const RULE_TYPE_DSCP_MARKING = 'dscp_marking';
export const RULE_TYPE_MINIMUM_BANDWIDTH = 'minimum_bandwidth';
export const RULE_TYPE_MINIMUM_PACKET_RATE = 'minimum_packet_rate';
export const RULE_TYPE_PACKET_RATE_LIMIT = 'packet_rate_limit';

/** neutron_lib.services.qos.constants.VALID_RULE_TYPES */
export const VALID_RULE_TYPES = [
  RULE_TYPE_BANDWIDTH_LIMIT, RULE_TYPE_DSCP_MARKING, RULE_TYPE_MINIMUM_BANDWIDTH, RULE_TYPE_MINIMUM_PACKET_RATE, RULE_TYPE_PACKET_RATE_LIMIT,
] as const;

/** The rule types this service stores. */
export type RuleType = typeof RULE_TYPE_BANDWIDTH_LIMIT | typeof RULE_TYPE_DSCP_MARKING | typeof RULE_TYPE_MINIMUM_BANDWIDTH;

export const INGRESS = 'ingress';
export const EGRESS = 'egress';
export const VALID_DIRECTIONS = [INGRESS, EGRESS] as const;
/** neutron_lib.constants.VALID_DSCP_MARKS */
export const VALID_DSCP_MARKS = [0, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 44, 46, 48, 56] as const;

export interface BandwidthLimitRule {
  id: string;
  qos_policy_id: string;
  max_kbps: number;
  max_burst_kbps: number;
  direction: string;
}

export interface DscpMarkingRule {
  id: string;
  qos_policy_id: string;
  dscp_mark: number;
}

export interface MinimumBandwidthRule {
  id: string;
  qos_policy_id: string;
  min_kbps: number;
  direction: string;
}

/** A rule of any type, with its `type` (as a policy's `rules` list shows it). */
export type QosRule =
  | (BandwidthLimitRule & { type: typeof RULE_TYPE_BANDWIDTH_LIMIT })
  | (DscpMarkingRule & { type: typeof RULE_TYPE_DSCP_MARKING })
  | (MinimumBandwidthRule & { type: typeof RULE_TYPE_MINIMUM_BANDWIDTH });

/** Rule fields a request sets (after the attribute map). */
export type QosRuleInput = Partial<Record<'max_kbps' | 'max_burst_kbps' | 'dscp_mark' | 'min_kbps', number> & { direction: string }>;

export interface QosPolicy extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  shared: boolean;
  is_default: boolean;
  rules: QosRule[];
}

export interface QosPolicyCreate extends OwnedInput {
  name?: string;
  description?: string;
  shared?: boolean;
  is_default?: boolean;
  tags?: Settable<string[]>;
}

export interface QosPolicyUpdate {
  name?: string;
  description?: string;
  shared?: boolean;
  is_default?: boolean;
}

/** GET /v2.0/qos/rule-types/{type}: the drivers that support the type and its parameters. */
export interface RuleTypeDriver {
  name: string;
  supported_parameters: Array<{ parameter_name: string; parameter_values: unknown; parameter_type: 'range' | 'choices' }>;
}
