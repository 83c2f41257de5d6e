/**
 * What the API layer needs from a resource's manager (the plugin methods of
 * neutron.api.v2.base.Controller: get_<collection>, get_<resource>, create_<resource>, ...).
 * Dicts in, dicts out, shaped as the API shows them.
 */
import type { NeutronContext } from '../context.js';
import type { ListQuery } from '../db/listing.js';

export type Dict = Record<string, unknown>;

export interface WriteOptions {
  /** From `If-Match: revision_number=N`. */
  ifMatch?: number;
}

export interface ResourceHandlers {
  list(ctx: NeutronContext, q: ListQuery, parentId?: string): Promise<Dict[]>;
  get(ctx: NeutronContext, id: string, parentId?: string): Promise<Dict>;
  create?(ctx: NeutronContext, body: Dict, parentId?: string): Promise<Dict>;
  update?(ctx: NeutronContext, id: string, body: Dict, opts: WriteOptions, parentId?: string): Promise<Dict>;
  delete?(ctx: NeutronContext, id: string, opts: WriteOptions, parentId?: string): Promise<void>;
  /** Adds what policy checks need about related objects (network:project_id ...). */
  policyTarget?(ctx: NeutronContext, item: Dict, parentId: string | undefined, memo: Map<string, Promise<unknown>>): Promise<Dict>;
}
