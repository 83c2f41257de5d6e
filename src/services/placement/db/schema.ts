/**
 * Placement's database, table for table as upstream's (placement/db/sqlalchemy/models.py):
 * providers in trees (root and parent ids), inventories and allocations keyed by internal
 * resource class ids, aggregates and traits by association tables, consumers with their
 * project, user, type and generation.
 *
 * Dialect rules: integer surrogate keys (auto-increment, except resource classes whose ids are
 * the os-resource-classes index or >= 10000), allocation_ratio as a double, timestamps as ISO
 * strings with whole seconds.
 */
import type { Generated } from 'kysely';

export interface ResourceClassesTable {
  id: number;
  name: string;
  created_at: string | null;
  updated_at: string | null;
}

export interface ResourceProvidersTable {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  generation: number;
  root_provider_id: number | null;
  parent_provider_id: number | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface InventoriesTable {
  id: Generated<number>;
  resource_provider_id: number;
  resource_class_id: number;
  total: number;
  reserved: number;
  min_unit: number;
  max_unit: number;
  step_size: number;
  allocation_ratio: number;
  created_at: string | null;
  updated_at: string | null;
}

export interface AllocationsTable {
  id: Generated<number>;
  resource_provider_id: number;
  /** The consumer's uuid (upstream joins allocations to consumers on uuid). */
  consumer_id: string;
  resource_class_id: number;
  used: number;
  created_at: string | null;
  updated_at: string | null;
}

export interface PlacementAggregatesTable {
  id: Generated<number>;
  uuid: string;
  created_at: string | null;
  updated_at: string | null;
}

export interface ResourceProviderAggregatesTable {
  resource_provider_id: number;
  aggregate_id: number;
  created_at: string | null;
  updated_at: string | null;
}

export interface TraitsTable {
  id: Generated<number>;
  name: string;
  created_at: string | null;
  updated_at: string | null;
}

export interface ResourceProviderTraitsTable {
  trait_id: number;
  resource_provider_id: number;
  created_at: string | null;
  updated_at: string | null;
}

export interface ExternalIdTable {
  id: Generated<number>;
  external_id: string;
  created_at: string | null;
  updated_at: string | null;
}

export interface ConsumersTable {
  id: Generated<number>;
  uuid: string;
  project_id: number;
  user_id: number;
  generation: number;
  consumer_type_id: number | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface ConsumerTypesTable {
  id: Generated<number>;
  name: string;
  created_at: string | null;
  updated_at: string | null;
}

export interface PlacementDB {
  resource_classes: ResourceClassesTable;
  resource_providers: ResourceProvidersTable;
  inventories: InventoriesTable;
  allocations: AllocationsTable;
  placement_aggregates: PlacementAggregatesTable;
  resource_provider_aggregates: ResourceProviderAggregatesTable;
  traits: TraitsTable;
  resource_provider_traits: ResourceProviderTraitsTable;
  projects: ExternalIdTable;
  users: ExternalIdTable;
  consumers: ConsumersTable;
  consumer_types: ConsumerTypesTable;
}
