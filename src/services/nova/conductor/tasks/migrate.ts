/**
 * The cold move task (nova/conductor/tasks/migrate.py MigrationTask, for a resize and a cold
 * migration): a migration record (pre-migrating, source host and node, old and new flavor),
 * the server's allocation on the source moved to the migration as its consumer, the
 * scheduler asked for a destination for the (new) flavor (claiming it for the server), the
 * server's zone set to the destination's, then prep_resize cast to the destination.
 * When no host fits, the allocation goes back and the server keeps its state, with the fault.
 */
import type { RequestContext } from '../../../../common/context.js';
import { withInstanceEvent } from '../../compute/event-reporter.js';
import { NoValidHost } from '../../errors.js';
import { MigrationType, RequestSpec, type Migration } from '../../objects/index.js';
import type { MigrateServerArgs } from '../rpcapi-move.js';
import { abortMove, persistSpec, revertAllocation, selectForMove, type MoveTaskDeps } from './base.js';

export async function coldMigrate(d: MoveTaskDeps, ctx: RequestContext, args: MigrateServerArgs): Promise<void> {
  const instance = await d.repos.instances.get(args.instance.uuid);
  const resize = args.flavor.data.id !== instance.data.flavor.data.id;
  let migration: Migration | null = null;
  await withInstanceEvent(d.repos.actions, ctx, instance.uuid, 'cold_migrate', d.host, async () => {
    try {
      migration = await d.repos.migrations.create({
        instance_uuid: instance.uuid, migration_type: resize ? MigrationType.RESIZE : MigrationType.MIGRATION, status: 'pre-migrating',
        source_compute: instance.data.host, source_node: instance.data.node, old_instance_type_id: instance.data.flavor.data.id,
        new_instance_type_id: args.flavor.data.id, user_id: instance.data.user_id, project_id: instance.data.project_id,
      });
      await d.report.moveAllocations(instance.uuid, migration.uuid);
      const spec = new RequestSpec({ ...args.request_spec.data, flavor: args.flavor });
      const hosts = await selectForMove(d, ctx, spec, instance.uuid);
      const chosen = hosts[0]!;
      const placed = await d.repos.instances.save(instance.uuid, { availability_zone: chosen.data.availability_zone ?? instance.data.availability_zone });
      await persistSpec(d, spec);
      await d.compute.prepResize(ctx, chosen.data.service_host, {
        instance: placed, image: spec.data.image, flavor: args.flavor, migration, request_spec: spec, node: chosen.data.nodename,
        clean_shutdown: args.clean_shutdown, host_list: hosts,
      });
    } catch (err) {
      d.log.warn({ err: err instanceof Error ? err.message : err, instance: instance.uuid }, resize ? 'resize failed in the conductor' : 'cold migration failed in the conductor');
      if (migration) await revertAllocation(d, instance.uuid, migration);
      const reported = err instanceof NoValidHost ? new NoValidHost(resize ? 'No valid host found for resize' : 'No valid host found for cold migrate') : err;
      await abortMove(d, instance, migration, reported);
      throw reported;
    }
  });
}
