/** A scheduler filter (nova/scheduler/filters BaseHostFilter): may this host take the request's server? */
import type { RequestSpec } from '../../objects/index.js';
import type { HostState } from '../host-state.js';

export interface FilterSettings {
  /** [DEFAULT] default_availability_zone. */
  defaultAvailabilityZone: string;
  /** [DEFAULT] service_down_time. */
  serviceDownTime: number;
}

export interface HostFilter {
  /** The class name nova.conf's [filter_scheduler] enabled_filters uses. */
  readonly name: string;
  hostPasses(host: HostState, spec: RequestSpec): boolean;
}
