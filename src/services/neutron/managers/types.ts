/**
 * What the API layer needs from a resource's manager (the plugin methods of
 * neutron.api.v2.base.Controller: get_<collection>, get_<resource>, create_<resource>, ...):
 * typed records out (shaped as the API shows them), typed inputs in. `R` is the record, `C`
 * and `U` what create and update take (as the API layer prepares them from the request).
 */
import type { NeutronContext } from '../common/context.js';
import type { ListQuery } from '../db/listing.js';
import type { WriteOptions } from '../types/common.js';
import type { NetworkOwner } from '../types/network.js';

/** Network owners looked up once per network during one request. */
export type OwnerLookups = Map<string, Promise<NetworkOwner | undefined>>;

/** Attributes of the objects an item hangs off, for policy checks (`network:project_id`, ...). */
export type PolicyAttributes = Readonly<Record<string, string | boolean>>;

export interface ResourceHandlers<R, C = never, U = never> {
  list(ctx: NeutronContext, q: ListQuery, parentId?: string): Promise<R[]>;
  get(ctx: NeutronContext, id: string, parentId?: string): Promise<R>;
  create?(ctx: NeutronContext, input: C, parentId?: string): Promise<R>;
  update?(ctx: NeutronContext, id: string, input: U, opts: WriteOptions, parentId?: string): Promise<R>;
  delete?(ctx: NeutronContext, id: string, opts: WriteOptions, parentId?: string): Promise<void>;
  /** What policy checks need about related objects of an existing item or of a create input. */
  policyAttributes?(ctx: NeutronContext, item: R | C, parentId: string | undefined, lookups: OwnerLookups): Promise<PolicyAttributes>;
}
