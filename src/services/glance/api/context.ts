/** What the route modules share: the managers, view options and request helpers. */
import type { FastifyRequest } from 'fastify';
import type { DataManager } from '../managers/data.js';
import type { GlanceSettings } from '../managers/deps.js';
import type { ImageManager } from '../managers/images.js';
import type { ImportManager } from '../managers/imports.js';
import type { MemberManager } from '../managers/members.js';
import type { QuotaEnforcer } from '../managers/quota.js';
import type { TaskManager } from '../managers/tasks.js';
import type { GlancePolicy } from '../policies/index.js';
import type { StoreRegistry } from '../stores/registry.js';
import type { JsonSchema } from '../domain/schemas.js';
import type { ImageViewOptions } from './views.js';
import type { MetadefManager } from '../managers/metadefs.js';

export interface GlanceApi {
  images: ImageManager;
  data: DataManager;
  members: MemberManager;
  imports: ImportManager;
  tasks: TaskManager;
  quota: QuotaEnforcer;
  policy: GlancePolicy;
  stores: StoreRegistry;
  settings: GlanceSettings;
  view: ImageViewOptions;
  schemas: Readonly<Record<string, JsonSchema>>;
  metadefs: MetadefManager;
  metadefSchemas: Readonly<Record<string, JsonSchema>>;
  /** This service's public base URL (for version links). */
  baseUrl: string;
}

/** The query string as ordered pairs (repeated keys kept). */
export function queryPairs(req: FastifyRequest): Array<[string, string]> {
  const i = req.url.indexOf('?');
  return i < 0 ? [] : [...new URLSearchParams(req.url.slice(i + 1))];
}

/** A single request header value. */
export function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}
