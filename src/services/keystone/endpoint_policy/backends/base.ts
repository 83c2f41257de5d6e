/**
 * The endpoint policy driver interface (keystone/endpoint_policy/backends/base.py
 * EndpointPolicyDriverBase): which policy blob goes with an endpoint, a service, or a service in
 * a region. A target is one of the three kinds (the manager checks); the others are null.
 */
export interface PolicyTarget {
  endpointId: string | null;
  serviceId: string | null;
  regionId: string | null;
}

export interface PolicyAssociationRecord extends PolicyTarget {
  policyId: string;
}

/** What an association may name; deleting one of these takes its associations with it. */
export type AssociatedKind = 'policy' | 'endpoint' | 'service' | 'region';

export interface EndpointPolicyDriver {
  /** A target has one policy: associating another replaces it. */
  createPolicyAssociation(policyId: string, target: PolicyTarget): Promise<void>;
  checkPolicyAssociation(policyId: string, target: PolicyTarget): Promise<boolean>;
  deletePolicyAssociation(policyId: string, target: PolicyTarget): Promise<void>;
  /** The policy of exactly this target, if any. */
  getPolicyAssociation(target: PolicyTarget): Promise<string | undefined>;
  listAssociationsForPolicy(policyId: string): Promise<PolicyAssociationRecord[]>;
  /** Every association naming this policy, endpoint, service or region. */
  deleteAssociationsOf(kind: AssociatedKind, id: string): Promise<void>;
}
