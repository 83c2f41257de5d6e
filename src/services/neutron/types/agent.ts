/**
 * An agent as the API shows it, what updating one takes, what an agent reports in
 * report_state, and the availability zones derived from agents.
 */
import type { JsonObject } from './common.js';

export interface Agent {
  id: string;
  agent_type: string;
  binary: string;
  topic: string;
  host: string;
  admin_state_up: boolean;
  created_at: string;
  started_at: string;
  heartbeat_timestamp: string;
  alive: boolean;
  configurations: JsonObject;
  description: string | null;
  availability_zone: string | null;
  resources_synced: boolean | null;
}

export interface AgentUpdate {
  admin_state_up?: boolean;
  description?: string | null;
}

/** What an agent sends in report_state (agent_state['agent_state']). */
export interface AgentState {
  binary: string;
  host: string;
  topic: string;
  agent_type: string;
  configurations?: JsonObject;
  availability_zone?: string;
  resource_versions?: JsonObject;
  start_flag?: boolean;
  resources_synced?: boolean;
}

export type ZoneResource = 'network' | 'router';

export interface AvailabilityZone {
  name: string;
  resource: ZoneResource;
  state: 'available' | 'unavailable';
}

/** service-type extension: an advanced service's provider (none exist here). */
export interface ServiceProvider {
  service_type: string;
  name: string;
  default: boolean;
}
