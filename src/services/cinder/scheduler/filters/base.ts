/** A backend filter (cinder/scheduler/filters BaseBackendFilter): whether a pool may take a request. */
import type { PoolState } from '../host-state.js';
import type { RequestSpec } from '../rpcapi.js';

export interface FilterProperties {
  spec: RequestSpec;
  /** GiB the request needs on the pool (a new volume's size, an extension's growth). */
  size: number;
}

export interface BackendFilter {
  readonly name: string;
  passes(pool: PoolState, props: FilterProperties): boolean;
}
