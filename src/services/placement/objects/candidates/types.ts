/**
 * What an allocation-candidates search is asked (placement/lib.py RequestGroup and
 * RequestWideParams) and what it answers (allocation_candidate.py AllocationRequest,
 * ProviderSummary and their parts).
 */

/** One request group: unsuffixed (`resources`, any providers of a tree) or granular (`resources$S`, one provider). */
export interface RequestGroup {
  useSameProvider: boolean;
  /** Amounts by resource class, in the order the query named them. */
  resources: Map<string, number>;
  /** Sets of trait names; each set needs one of its traits (`in:` lists), all sets are needed. */
  requiredTraits: Array<Set<string>>;
  forbiddenTraits: Set<string>;
  /** Sets of aggregate uuids; each set needs one membership. */
  memberOf: Array<Set<string>>;
  forbiddenAggs: Set<string>;
  inTree?: string;
}

/** Parameters of the whole request. */
export interface RequestWideParams {
  limit?: number;
  groupPolicy?: 'none' | 'isolate';
  /** root_required (1.35): traits the root of each candidate's tree must have / not have. */
  anchorRequiredTraits?: Set<string>;
  anchorForbiddenTraits?: Set<string>;
  /** same_subtree (1.36): groups of suffixes whose providers must share a subtree. */
  sameSubtrees: Array<Set<string>>;
}

/** A provider as a candidate refers to it. */
export interface ProviderRef {
  id: number;
  uuid: string;
  rootProviderUuid: string;
  parentProviderUuid: string | null;
}

/** An amount of one class from one provider. */
export interface AllocationRequestResource {
  provider: ProviderRef;
  resourceClass: string;
  amount: number;
}

export interface AllocationRequest {
  /** Root of the (non-sharing) tree the request is anchored to. */
  anchorRootUuid: string;
  /** Whether it satisfies a granular group (one provider). */
  useSameProvider: boolean;
  resourceRequests: AllocationRequestResource[];
  /** Which providers satisfied which group suffix (1.34 mappings). */
  mappings: Map<string, Set<string>>;
}

export interface ProviderSummaryResource {
  resourceClass: string;
  capacity: number;
  used: number;
  /** Internal: the final capacity check of merged candidates. */
  maxUnit: number;
}

export interface ProviderSummary {
  provider: ProviderRef;
  resources: ProviderSummaryResource[];
  traits: string[];
}

export interface Candidates {
  allocationRequests: AllocationRequest[];
  providerSummaries: ProviderSummary[];
}
