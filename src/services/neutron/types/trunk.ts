/**
 * A trunk as the API shows it (trunk extension), its subports, what creating or updating one
 * takes, and the trunk_details a parent port shows (trunk-details extension).
 */
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';

/** neutron_lib.services.trunk.constants */
export const TRUNK_STATUS = { ACTIVE: 'ACTIVE', DOWN: 'DOWN', BUILD: 'BUILD', DEGRADED: 'DEGRADED', ERROR: 'ERROR' } as const;
export type TrunkStatus = (typeof TRUNK_STATUS)[keyof typeof TRUNK_STATUS];

export const SEGMENTATION_TYPE_VLAN = 'vlan';
export const SEGMENTATION_TYPE_INHERIT = 'inherit';

export interface SubPort {
  port_id: string;
  segmentation_type: string;
  segmentation_id: number;
}

/** A subport as a request gives it, checked only for its shape (validate_subports). */
export interface SubPortRequest {
  port_id: string;
  segmentation_type?: unknown;
  segmentation_id?: unknown;
}

export interface Trunk extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  admin_state_up: boolean;
  status: string;
  port_id: string;
  sub_ports: SubPort[];
}

export interface TrunkCreate extends OwnedInput {
  port_id: string;
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  sub_ports?: SubPortRequest[];
  tags?: string[];
}

export interface TrunkUpdate {
  name?: string;
  description?: string;
  admin_state_up?: boolean;
}

/** A parent port's trunk_details: the trunk and its subports with their MAC addresses. */
export interface TrunkDetails {
  trunk_id: string;
  sub_ports: Array<SubPort & { mac_address: string }>;
}
