/**
 * The live migration task (nova/conductor/tasks/live_migrate.py LiveMigrationTask): a
 * migration record (live-migration, accepted), the source compute must be up, the server's
 * allocation moved to the migration, then a destination: a forced host (checked: up, not the
 * source; the server's resources claimed there as they were on the source) or the scheduler's
 * choice (the source ignored); the migration gets its destination and live_migration is cast
 * to the source host, which drives the rest. A failure here leaves the server ACTIVE on its
 * host with the fault, and the migration in error.
 */
import type { RequestContext } from '../../../../common/context.js';
import { withInstanceEvent } from '../../compute/event-reporter.js';
import { serviceIsUp } from '../../db/services.js';
import { ComputeHostNotFound, ComputeServiceUnavailable, MigrationPreCheckError, UnableToMigrateToSelf } from '../../errors.js';
import { MigrationType, RequestSpec, type Migration } from '../../objects/index.js';
import type { LiveMigrateArgs } from '../rpcapi-move.js';
import { abortMove, revertAllocation, selectForMove, type MoveTaskDeps } from './base.js';

export async function liveMigrate(d: MoveTaskDeps, ctx: RequestContext, args: LiveMigrateArgs, serviceDownTime: number): Promise<void> {
  const instance = await d.repos.instances.get(args.instance.uuid);
  const source = instance.data.host!;
  let migration: Migration | null = null;
  await withInstanceEvent(d.repos.actions, ctx, instance.uuid, 'conductor_live_migrate_instance', d.host, async () => {
    try {
      migration = await d.repos.migrations.create({
        instance_uuid: instance.uuid, migration_type: MigrationType.LIVE_MIGRATION, status: 'accepted', source_compute: source,
        source_node: instance.data.node, dest_compute: args.host, old_instance_type_id: instance.data.flavor.data.id,
        new_instance_type_id: instance.data.flavor.data.id, user_id: instance.data.user_id, project_id: instance.data.project_id,
      });
      const up = async (host: string) => {
        const svc = await d.repos.services.get(host, 'nova-compute');
        if (!svc) throw new ComputeHostNotFound(host);
        if (!serviceIsUp(svc, serviceDownTime)) throw new ComputeServiceUnavailable(host);
      };
      await up(source);
      const sourceAllocation = await d.report.getAllocationsForConsumer(instance.uuid);
      await d.report.moveAllocations(instance.uuid, migration.uuid);
      let dest: { host: string; node: string };
      if (args.host) {
        if (args.host === source) throw new UnableToMigrateToSelf(instance.uuid, source);
        await up(args.host);
        const node = (await d.repos.computeNodes.list()).find((n) => n.host === args.host);
        if (!node) throw new ComputeHostNotFound(args.host);
        const resources = Object.values(sourceAllocation.allocations)[0]?.resources ?? {};
        const claimed = await d.report.claimResources(instance.uuid, { allocations: { [node.uuid]: { resources } } }, instance.data.project_id, instance.data.user_id);
        if (!claimed) throw new MigrationPreCheckError(`Unable to migrate ${instance.uuid} to ${args.host}: Lack of resources on the destination host.`);
        dest = { host: args.host, node: node.hypervisor_hostname };
      } else {
        const spec = new RequestSpec({ ...args.request_spec.data, ignore_hosts: [source] });
        const chosen = (await selectForMove(d, ctx, spec, instance.uuid))[0]!;
        dest = { host: chosen.data.service_host, node: chosen.data.nodename };
      }
      migration = await d.repos.migrations.save(migration.uuid, { dest_compute: dest.host, dest_node: dest.node, dest_host: dest.host });
      await d.compute.liveMigration(ctx, source, instance, dest.host, migration, args.block_migration ?? true);
    } catch (err) {
      d.log.warn({ err: err instanceof Error ? err.message : err, instance: instance.uuid }, 'live migration failed in the conductor');
      if (migration) await revertAllocation(d, instance.uuid, migration);
      await abortMove(d, instance, migration, err);
      throw err;
    }
  });
}
