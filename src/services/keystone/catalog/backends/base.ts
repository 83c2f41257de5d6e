/**
 * The catalog driver interface (keystone/catalog/backends/base.py CatalogDriverBase): regions
 * (a tree through parent_region_id), services and their endpoints. The CatalogManager
 * (../core.ts) checks references and URLs and builds the catalog tokens show.
 */
import type { Hints } from '../../lib/hints.js';

export interface RegionRecord {
  id: string;
  description: string;
  parent_region_id: string | null;
  [extra: string]: unknown;
}

export interface ServiceRecord {
  id: string;
  type: string;
  enabled: boolean;
  [extra: string]: unknown;
}

export interface EndpointRecord {
  id: string;
  interface: string;
  region_id: string | null;
  service_id: string;
  url: string;
  enabled: boolean;
  [extra: string]: unknown;
}

export interface RegionCreate {
  id: string;
  description: string;
  parent_region_id: string | null;
  extra: Record<string, unknown>;
}

export type RegionUpdate = Omit<RegionCreate, 'id'>;

export interface ServiceCreate {
  id: string;
  type: string;
  enabled: boolean;
  extra: Record<string, unknown>;
}

export type ServiceUpdate = Omit<ServiceCreate, 'id'>;

export interface EndpointCreate {
  id: string;
  interface: string;
  service_id: string;
  url: string;
  region_id: string | null;
  enabled: boolean;
  extra: Record<string, unknown>;
}

export type EndpointUpdate = Omit<EndpointCreate, 'id'>;

export interface CatalogDriver {
  getRegion(regionId: string): Promise<RegionRecord | undefined>;
  /** Regions matching the hints (parent_region_id and the rest); the driver applies them all. */
  listRegions(hints: Hints): Promise<RegionRecord[]>;
  /** Throws KeystoneConflict for a duplicate id. */
  createRegion(region: RegionCreate): Promise<void>;
  updateRegion(regionId: string, update: RegionUpdate): Promise<void>;
  /** Deletes a region and the regions below it; RegionDeletionError when an endpoint uses one of them. */
  deleteRegion(regionId: string): Promise<void>;

  getService(serviceId: string): Promise<ServiceRecord | undefined>;
  /** Services matching the hints (type, enabled and the rest); the driver applies them all. */
  listServices(hints: Hints): Promise<ServiceRecord[]>;
  createService(service: ServiceCreate): Promise<void>;
  updateService(serviceId: string, update: ServiceUpdate): Promise<void>;
  /** The service and its endpoints. */
  deleteService(serviceId: string): Promise<void>;

  getEndpoint(endpointId: string): Promise<EndpointRecord | undefined>;
  /** Endpoints matching the hints (interface, service_id, region_id, enabled and the rest); the driver applies them all. */
  listEndpoints(hints: Hints): Promise<EndpointRecord[]>;
  createEndpoint(endpoint: EndpointCreate): Promise<void>;
  updateEndpoint(endpointId: string, update: EndpointUpdate): Promise<void>;
  deleteEndpoint(endpointId: string): Promise<void>;
}
