/**
 * An aggregate as os-aggregates shows it (AggregateController._marshall_aggregate): every field
 * of nova's Aggregate object with availability_zone from its metadata, uuid from 2.41.
 */
import type { APIVersion } from '../../../../common/http/microversion.js';
import type { AggregateRecord } from '../../db/aggregates.js';
import { naiveTime } from './times.js';

export function aggregateView(agg: AggregateRecord, version: APIVersion, opts: { created?: boolean } = {}): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: agg.id, name: agg.name, availability_zone: agg.metadata['availability_zone'] ?? null,
    created_at: naiveTime(agg.created_at), updated_at: naiveTime(agg.updated_at), deleted_at: null, deleted: false,
  };
  // The answer of a create leaves hosts and metadata out, as it always has.
  if (!opts.created) {
    view['hosts'] = agg.hosts;
    view['metadata'] = agg.metadata;
  }
  if (version.atLeast('2.41')) view['uuid'] = agg.uuid;
  return view;
}
