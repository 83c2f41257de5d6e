/**
 * nova.objects.Selection: one host the scheduler chose for a server (the first of a list is
 * the choice, the rest its alternates), with the allocation request that claims it in
 * Placement (JSON text, as nova keeps it).
 */
import { NovaObject } from './base.js';

export interface SelectionFields {
  compute_node_uuid: string;
  service_host: string;
  nodename: string;
  cell_uuid: string;
  limits: Record<string, number> | null;
  /** JSON of the Placement allocation request ({"allocations": {rp: {"resources": {...}}}}). */
  allocation_request: string | null;
  allocation_request_version: string | null;
  availability_zone: string | null;
}

export class Selection extends NovaObject<SelectionFields> {
  static readonly objName = 'Selection';
  static readonly VERSION = '1.1';
}
