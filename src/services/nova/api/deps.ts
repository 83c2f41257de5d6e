/**
 * What every route module of the Compute API receives: the database, the policy, the API's
 * settings, link building, and the compute API (compute/api.ts), flavor API
 * (compute/flavors.ts) and key pair API (compute/keypairs.ts) that do the work.
 */
import type { Kysely } from 'kysely';
import type { AggregateApi } from '../compute/aggregates.js';
import type { ComputeApi } from '../compute/api.js';
import type { FlavorAPI } from '../compute/flavors.js';
import type { KeypairAPI } from '../compute/keypairs.js';
import type { QuotaChecker } from '../compute/quota.js';
import type { HostApi } from '../compute/host-api.js';
import type { ComputeMoveApi } from '../compute/api-move.js';
import type { NovaRepos } from '../db/repos.js';
import type { GlanceAPI } from '../image/glance.js';
import type { NovaDB } from '../db/schema.js';
import type { NovaPolicy } from '../policies/index.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import type { LinkBuilder } from './links.js';

export interface ApiSettings {
  /** [api] max_limit. */
  maxLimit: number;
  /** [DEFAULT] service_down_time (host_status). */
  serviceDownTime: number;
  /** [DEFAULT] default_availability_zone and internal_service_availability_zone (os-availability-zone). */
  defaultAvailabilityZone: string;
  internalServiceAvailabilityZone: string;
  /** [neutron] default_floating_pool (os-floating-ips allocation without a pool). */
  defaultFloatingPool?: string;
  /** [DEFAULT] reclaim_instance_interval: above 0, DELETE /servers/{id} soft-deletes. */
  reclaimInstanceInterval?: number;
}

export interface ApiDeps {
  db: Kysely<NovaDB>;
  repos: NovaRepos;
  policy: NovaPolicy;
  settings: ApiSettings;
  links: LinkBuilder;
  compute: ComputeApi;
  /** The quota engine (os-quota-sets, os-quota-class-sets, limits, server group quotas). */
  quotas: QuotaChecker;
  /** [quota] recheck_quota. */
  recheckQuota: boolean;
  /** Keystone's answer for a project (identity.verify_project_id: quota sets, flavor access): false only when it says 404. */
  projectExists: (projectId: string) => Promise<boolean>;
  flavors: FlavorAPI;
  keypairs: KeypairAPI;
  /** os-aggregates. */
  aggregates: AggregateApi;
  /** os-services, os-hypervisors. */
  hosts: HostApi;
  /** Resize, migrations, evacuate, shelve (compute/api-move.ts). */
  moves: ComputeMoveApi;
  /** The images proxy and image metadata (Glance with the caller's token). */
  images: GlanceAPI;
  /** Notifications the API layer sends itself (the tags API's instance.update). */
  notifier: Pick<NovaNotifier, 'instanceUpdate'>;
}
