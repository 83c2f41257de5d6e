/** Metering labels and label rules as the API shows them, and what creating them takes. */
import type { Owned, OwnedInput } from './common.js';

export interface MeteringLabel extends Owned {
  id: string;
  name: string;
  description: string;
  shared: boolean;
}

export interface MeteringLabelCreate extends OwnedInput {
  name?: string;
  description?: string;
  shared?: boolean;
}

export interface MeteringLabelRule {
  id: string;
  metering_label_id: string;
  direction: string;
  remote_ip_prefix: string | null;
  source_ip_prefix: string | null;
  destination_ip_prefix: string | null;
  excluded: boolean;
}

export interface MeteringLabelRuleCreate {
  metering_label_id: string;
  direction: string;
  excluded?: boolean;
  remote_ip_prefix?: string | null;
  source_ip_prefix?: string | null;
  destination_ip_prefix?: string | null;
}
