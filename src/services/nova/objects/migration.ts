/**
 * nova.objects.Migration: one move of a server (a resize, a cold or live migration, an
 * evacuation) from a source host to a destination host, with its status. Its uuid is also a
 * Placement consumer: during a cold move it holds the source host's allocation while the
 * instance's uuid holds the destination's (nova's "migration-based allocations").
 */
import { NovaObject } from './base.js';

/** migration_type values (nova.objects.fields.MigrationType). */
export const MigrationType = {
  MIGRATION: 'migration',
  RESIZE: 'resize',
  LIVE_MIGRATION: 'live-migration',
  EVACUATION: 'evacuation',
} as const;

export type MigrationType = (typeof MigrationType)[keyof typeof MigrationType];

export interface MigrationFields {
  id: number;
  uuid: string;
  instance_uuid: string;
  source_compute: string | null;
  dest_compute: string | null;
  source_node: string | null;
  dest_node: string | null;
  dest_host: string | null;
  old_instance_type_id: number | null;
  new_instance_type_id: number | null;
  /** pre-migrating, migrating, post-migrating, finished, confirming, confirmed, reverting, reverted, accepted, done, completed, running, preparing, queued, cancelled, failed, error. */
  status: string;
  migration_type: MigrationType;
  hidden: boolean;
  memory_total: number | null;
  memory_processed: number | null;
  memory_remaining: number | null;
  disk_total: number | null;
  disk_processed: number | null;
  disk_remaining: number | null;
  user_id: string | null;
  project_id: string | null;
  created_at: string;
  updated_at: string | null;
}

export class Migration extends NovaObject<MigrationFields> {
  static readonly objName = 'Migration';
  static readonly VERSION = '1.7';

  get uuid(): string { return this.data.uuid; }
}
