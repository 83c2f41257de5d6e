/**
 * What every route module of the Compute API receives: the database, the policy, the API's
 * settings, link building, and the compute API (compute/api.ts) that does the work.
 */
import type { Kysely } from 'kysely';
import type { AggregateApi } from '../compute/aggregates.js';
import type { ComputeApi } from '../compute/api.js';
import type { HostApi } from '../compute/host-api.js';
import type { NovaRepos } from '../db/repos.js';
import type { NovaDB } from '../db/schema.js';
import type { NovaPolicy } from '../policies/index.js';
import type { LinkBuilder } from './links.js';

export interface ApiSettings {
  /** [api] max_limit. */
  maxLimit: number;
  /** [DEFAULT] service_down_time (host_status). */
  serviceDownTime: number;
}

export interface ApiDeps {
  db: Kysely<NovaDB>;
  repos: NovaRepos;
  policy: NovaPolicy;
  settings: ApiSettings;
  links: LinkBuilder;
  compute: ComputeApi;
  /** os-aggregates. */
  aggregates: AggregateApi;
  /** os-services, os-hypervisors. */
  hosts: HostApi;
}
