/** Migrations as GET /os-migrations shows them (MigrationsController._output). */
import type { APIVersion } from '../../../../common/http/microversion.js';
import type { MigrationRow } from '../../db/migration-list.js';
import { LIVE_MIGRATION_IN_PROGRESS } from '../../db/migration-list.js';
import type { LinkBuilder } from '../links.js';
import { naiveTime } from './times.js';

/** One entry of GET /os-migrations: migration_type and, for a live migration under way, links from 2.23; uuid from 2.59; user and project from 2.80. */
export function migrationView(m: MigrationRow, v: APIVersion, links: LinkBuilder): Record<string, unknown> {
  const view: Record<string, unknown> = {
    created_at: naiveTime(m.created_at), dest_compute: m.dest_compute, dest_host: m.dest_host, dest_node: m.dest_node, id: m.id,
    instance_uuid: m.instance_uuid, new_instance_type_id: m.new_instance_type_id, old_instance_type_id: m.old_instance_type_id,
    source_compute: m.source_compute, source_node: m.source_node, status: m.status, updated_at: naiveTime(m.updated_at),
  };
  if (v.atLeast('2.23')) {
    view['migration_type'] = m.migration_type;
    if (m.migration_type === 'live-migration' && LIVE_MIGRATION_IN_PROGRESS.includes(m.status)) {
      view['links'] = links.resource(`servers/${m.instance_uuid}/migrations`, m.id);
    }
  }
  if (v.atLeast('2.59')) view['uuid'] = m.uuid;
  if (v.atLeast('2.80')) {
    view['user_id'] = m.user_id;
    view['project_id'] = m.project_id;
  }
  return view;
}
