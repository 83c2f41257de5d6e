/**
 * Metering labels and their rules as the API shows them (metering and
 * metering_source_and_destination_fields extensions), what creating one takes, and the
 * routers with their labels the metering agent gets (get_sync_data_metering).
 */
import type { Owned, OwnedInput } from './common.js';

export type MeteringDirection = 'ingress' | 'egress';

export interface MeteringLabel extends Owned {
  id: string;
  name: string;
  description: string;
  shared: boolean;
}

export interface MeteringLabelCreate extends OwnedInput {
  name: string;
  description: string;
  shared: boolean;
}

/** A rule shows no project: it is its label's (as upstream's _make_metering_label_rule_dict). */
export interface MeteringLabelRule {
  id: string;
  metering_label_id: string;
  direction: MeteringDirection;
  remote_ip_prefix: string | null;
  source_ip_prefix: string | null;
  destination_ip_prefix: string | null;
  excluded: boolean;
}

export interface MeteringLabelRuleCreate extends OwnedInput {
  metering_label_id: string;
  direction: MeteringDirection;
  excluded: boolean;
  remote_ip_prefix?: string | null;
  source_ip_prefix?: string | null;
  destination_ip_prefix?: string | null;
}

/** A label as a router of the sync data carries it: all its rules, or the one rule a rule cast is about. */
export interface SyncLabel {
  id: string;
  name?: string;
  shared?: boolean;
  rules?: MeteringLabelRule[];
  rule?: MeteringLabelRule;
}

/** A router with the labels that apply to it (_make_router_dict; `_metering_labels` is METERING_LABEL_KEY). */
export interface MeteringRouter {
  id: string;
  name: string;
  project_id: string;
  admin_state_up: boolean;
  status: string;
  gw_port_id: string | null;
  distributed: boolean;
  _metering_labels: SyncLabel[];
}
