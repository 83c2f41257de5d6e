/**
 * Parts shared by the records managers return (as the API shows them) and by their inputs:
 * ownership, the standard attributes (description, revision number, timestamps), tags, the
 * `If-Match` revision constraint of writes, and free-form JSON values.
 */

/** tenant_id and project_id, both shown. */
export interface Owned {
  tenant_id: string;
  project_id: string;
}

/** Standard attributes (neutron/db/standard_attr.py): description, revision, timestamps. */
export interface StandardAttributes {
  description: string;
  revision_number: number;
  created_at: string;
  updated_at: string;
}

export interface Tagged {
  tags: string[];
}

/** The owner of a new resource; the API layer fills it from the caller when the body has none. */
export interface OwnedInput {
  project_id: string;
  tenant_id?: string;
}

export interface WriteOptions {
  /** From `If-Match: revision_number=N`. */
  ifMatch?: number;
}

/**
 * A JSON object Neutron stores as given (binding:profile, binding:vif_details, agent
 * configurations): its keys belong to drivers and agents, not to Neutron's schema.
 */
export type JsonObject = { readonly [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
