/** An RBAC policy as the API shows it, and what creating or updating one takes. */
import type { Settable } from '../common/attributes.js';
import type { Owned, OwnedInput } from './common.js';

export interface RbacPolicy extends Owned {
  id: string;
  object_type: string;
  object_id: string;
  target_tenant: string;
  action: string;
}

export interface RbacPolicyCreate extends OwnedInput {
  object_type: string;
  object_id: string;
  action: string;
  target_tenant?: Settable<string>;
  target_project?: Settable<string>;
}

export interface RbacPolicyUpdate {
  target_tenant?: string;
  target_project?: string;
}
