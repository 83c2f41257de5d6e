/**
 * The versioned notification payload of host aggregates (nova/notifications/objects/
 * aggregate.py's AggregatePayload 1.1): id (null in aggregate.create.start, sent before the
 * row exists), uuid, name, hosts and metadata.
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

/** The actions nova notifies about aggregates (fields.NotificationAction). */
export type AggregateAction = 'create' | 'delete' | 'add_host' | 'remove_host' | 'update_metadata' | 'update_prop';
