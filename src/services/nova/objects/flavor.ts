/** nova.objects.Flavor: a flavor as it travels and as an instance keeps a snapshot of it. */
import { NovaObject } from './base.js';

export interface FlavorFields {
  /** flavors.id (the internal integer id). */
  id: number;
  /** The id users see (a UUID or any string). */
  flavorid: string;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  rxtx_factor: number;
  vcpu_weight: number | null;
  disabled: boolean;
  is_public: boolean;
  extra_specs: Record<string, string>;
  description: string | null;
  created_at: string;
  updated_at: string | null;
}

export class Flavor extends NovaObject<FlavorFields> {
  static readonly objName = 'Flavor';
  static readonly VERSION = '1.2';
}
