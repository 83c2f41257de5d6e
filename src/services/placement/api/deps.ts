/** What the placement API handlers are given (composed in service.ts). */
import type { Logger } from '../../../common/log/logger.js';
import type { Store } from '../db/store.js';
import type { PlacementPolicy } from '../policies/index.js';

/** The [placement] options the handlers and objects use. */
export interface PlacementSettings {
  randomizeAllocationCandidates: boolean;
  incompleteConsumerProjectId: string;
  incompleteConsumerUserId: string;
  allocationConflictRetryCount: number;
}

export interface ApiDeps {
  store: Store;
  policy: PlacementPolicy;
  settings: PlacementSettings;
  log: Logger;
}
