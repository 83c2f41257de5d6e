/**
 * The endpoint filter driver interface (upstream's catalog driver methods for OS-EP-FILTER,
 * `[endpoint_filter] driver`): endpoints associated with projects directly, endpoint groups
 * (filters on endpoint attributes) and their project associations.
 */
import type { Hints } from '../../lib/hints.js';

export interface EndpointGroupRecord {
  id: string;
  name: string;
  description: string | null;
  filters: Record<string, unknown>;
}

export interface EndpointFilterDriver {
  /** Associating twice is not an error. */
  addEndpointToProject(endpointId: string, projectId: string): Promise<void>;
  checkEndpointInProject(endpointId: string, projectId: string): Promise<boolean>;
  removeEndpointFromProject(endpointId: string, projectId: string): Promise<void>;
  listProjectIdsForEndpoint(endpointId: string): Promise<string[]>;
  listEndpointIdsForProject(projectId: string): Promise<string[]>;
  deleteAssociationsByEndpoint(endpointId: string): Promise<void>;
  /** The project's endpoint and endpoint group associations. */
  deleteAssociationsByProject(projectId: string): Promise<void>;

  getEndpointGroup(groupId: string): Promise<EndpointGroupRecord | undefined>;
  /** Every endpoint group, the hints applied. */
  listEndpointGroups(hints: Hints): Promise<EndpointGroupRecord[]>;
  createEndpointGroup(group: EndpointGroupRecord): Promise<void>;
  updateEndpointGroup(groupId: string, update: Omit<EndpointGroupRecord, 'id'>): Promise<void>;
  /** The group and its project associations. */
  deleteEndpointGroup(groupId: string): Promise<void>;
  /** Associating twice is not an error. */
  addEndpointGroupToProject(groupId: string, projectId: string): Promise<void>;
  checkEndpointGroupInProject(groupId: string, projectId: string): Promise<boolean>;
  removeEndpointGroupFromProject(groupId: string, projectId: string): Promise<void>;
  listProjectIdsForEndpointGroup(groupId: string): Promise<string[]>;
  listEndpointGroupIdsForProject(projectId: string): Promise<string[]>;
}
