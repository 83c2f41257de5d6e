/**
 * The versioned notification payloads of host aggregates (nova/notifications/objects/
 * aggregate.py): AggregatePayload 1.1 (id (null in aggregate.create.start, sent before the row
 * exists), uuid, name, hosts and metadata) and AggregateCachePayload 1.0 (image pre-caching's
 * progress, host by host).
 */
import { NovaObject, registerObjects } from '../objects/base.js';

export interface AggregatePayloadFields {
  id: number | null;
  uuid: string;
  name: string;
  hosts: string[] | null;
  metadata: Record<string, string> | null;
}

export class AggregatePayload extends NovaObject<AggregatePayloadFields> {
  static readonly objName = 'AggregatePayload';
  static readonly VERSION = '1.1';
}

registerObjects(AggregatePayload);

/** The actions nova notifies about aggregates (fields.NotificationAction; IMAGE_CACHE is 'cache_images'). */
export type AggregateAction = 'create' | 'delete' | 'add_host' | 'remove_host' | 'update_metadata' | 'update_prop' | 'cache_images';

/** AggregateCachePayload 1.0: one host's outcome in an aggregate's image pre-caching (aggregate.cache_images.progress). */
export interface AggregateCachePayloadFields {
  id: number;
  uuid: string;
  name: string;
  /** The host that just finished. */
  host: string;
  /** Images fetched now or there already. */
  images_cached: string[];
  /** Images that could not be cached (error, unsupported, or the host skipped as down). */
  images_failed: string[];
  /** This host's place among the aggregate's hosts (1-based), and their number. */
  index: number;
  total: number;
}

export class AggregateCachePayload extends NovaObject<AggregateCachePayloadFields> {
  static readonly objName = 'AggregateCachePayload';
  static readonly VERSION = '1.0';
}

registerObjects(AggregateCachePayload);
