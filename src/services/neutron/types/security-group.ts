/**
 * A security group and a security group rule as the API shows them, and what creating or
 * updating them takes.
 */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';

export interface SecurityGroupRule extends Owned, StandardAttributes {
  id: string;
  security_group_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  normalized_cidr: string | null;
  belongs_to_default_sg: boolean;
}

export interface SecurityGroup extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  stateful: boolean;
  shared: boolean;
  security_group_rules: SecurityGroupRule[];
}

export interface SecurityGroupCreate extends OwnedInput {
  name?: string;
  stateful?: boolean;
  description?: string;
  tags?: Settable<string[]>;
}

export interface SecurityGroupUpdate {
  name?: string;
  stateful?: boolean;
  description?: string;
}

/**
 * What creating a rule takes. The attribute map (as upstream's) does not check the remote
 * group ids: the rule manager reads them as ids and looks them up.
 */
export interface SecurityGroupRuleCreate extends OwnedInput {
  security_group_id: string;
  direction: string;
  ethertype: string;
  protocol?: string | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: unknown;
  remote_address_group_id?: unknown;
  description?: string;
}
