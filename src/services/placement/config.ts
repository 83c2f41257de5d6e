/**
 * Configuration of the placement service: the [placement] options of placement.conf at Zed
 * (placement/conf/placement.py).
 */
import { defineGroup, opt } from '../../common/config/index.js';

/** Project and user of allocations written without them (microversions before 1.8). */
export const DEFAULT_CONSUMER_MISSING_ID = '00000000-0000-0000-0000-000000000000';

export const placementGroup = defineGroup('placement', 'Placement service', {
  randomize_allocation_candidates: opt.bool(false,
    'When limiting allocation candidates, return a random sample of the full result set (and shuffle them when not limiting) ' +
    'instead of a deterministic but undefined order.'),
  incomplete_consumer_project_id: opt.str(DEFAULT_CONSUMER_MISSING_ID,
    'Project id recorded for consumers of allocations written without one (microversions before 1.8).'),
  incomplete_consumer_user_id: opt.str(DEFAULT_CONSUMER_MISSING_ID,
    'User id recorded for consumers of allocations written without one (microversions before 1.8).'),
  allocation_conflict_retry_count: opt.int(10,
    'How many times an allocation write is retried, server side, when a resource provider generation changed under it.', { min: 1 }),
});

export const placementGroups = [placementGroup];
