/** An address group as the API shows it, and what creating or updating one takes. */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput, StandardAttributes, Tagged } from './common.js';

export interface AddressGroup extends Owned, StandardAttributes, Tagged {
  id: string;
  name: string;
  /** CIDRs with their host bits zero. */
  addresses: string[];
  /** Shared with the caller by an RBAC policy (not shown; the `shared_address_groups` policy reads it). */
  shared: boolean;
}

export interface AddressGroupCreate extends OwnedInput {
  name?: string;
  description?: string;
  addresses?: Settable<string[]>;
  tags?: Settable<string[]>;
}

export interface AddressGroupUpdate {
  name?: string;
  description?: string;
}

/** The answer of add_addresses / remove_addresses. */
export interface AddressGroupAnswer {
  address_group: AddressGroup;
}
