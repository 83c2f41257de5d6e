/** The policy driver interface (keystone/policy/backends/base.py PolicyDriverBase): opaque policy blobs. */
import type { Hints } from '../../lib/hints.js';

export interface PolicyBlobRecord {
  id: string;
  type: string;
  blob: string;
  [extra: string]: unknown;
}

export interface PolicyBlobCreate {
  id: string;
  type: string;
  blob: string;
  extra: Record<string, unknown>;
}

export interface PolicyDriver {
  getPolicy(id: string): Promise<PolicyBlobRecord | undefined>;
  /** Policies matching the hints (type and the rest); the driver applies them all. */
  listPolicies(hints: Hints): Promise<PolicyBlobRecord[]>;
  createPolicy(policy: PolicyBlobCreate): Promise<void>;
  updatePolicy(id: string, update: Omit<PolicyBlobCreate, 'id'>): Promise<void>;
  deletePolicy(id: string): Promise<void>;
}
