/**
 * rebuild_instance for an evacuation (nova/conductor/manager.py rebuild_instance with
 * recreate=True): the server's host is down, so the server is rebuilt elsewhere. Its
 * allocation on the dead host moves to the evacuation's migration (the dead host frees it when
 * it comes back and cleans up, compute/manager-move.ts), then a destination: the forced host
 * (its resources claimed there) or the scheduler's choice (the source ignored); then
 * rebuild_instance is cast to the destination. When no host fits, the allocation goes back,
 * the migration is in error and the server keeps its state, with the fault.
 */
import type { RequestContext } from '../../../../common/context.js';
import { withInstanceEvent } from '../../compute/event-reporter.js';
import { ComputeHostNotFound, NoValidHost } from '../../errors.js';
import { RequestSpec, type Migration } from '../../objects/index.js';
import type { EvacuateArgs } from '../rpcapi-move.js';
import { abortMove, persistSpec, revertAllocation, selectForMove, type MoveTaskDeps } from './base.js';

export async function evacuate(d: MoveTaskDeps, ctx: RequestContext, args: EvacuateArgs): Promise<void> {
  const instance = await d.repos.instances.get(args.instance.uuid);
  let migration: Migration = args.migration;
  await withInstanceEvent(d.repos.actions, ctx, instance.uuid, 'conductor_rebuild_server', d.host, async () => {
    let moved = false;
    try {
      const sourceAllocation = await d.report.getAllocationsForConsumer(instance.uuid);
      moved = await d.report.moveAllocations(instance.uuid, migration.uuid);
      let dest: { host: string; node: string; zone: string | null };
      if (args.host) {
        const node = (await d.repos.computeNodes.list()).find((n) => n.host === args.host);
        if (!node) throw new ComputeHostNotFound(args.host);
        const resources = Object.values(sourceAllocation.allocations)[0]?.resources ?? {};
        const claimed = await d.report.claimResources(instance.uuid, { allocations: { [node.uuid]: { resources } } }, instance.data.project_id, instance.data.user_id);
        if (!claimed) throw new NoValidHost(`Unable to evacuate to ${args.host}: not enough resources there.`);
        dest = { host: args.host, node: node.hypervisor_hostname, zone: instance.data.availability_zone };
      } else {
        const spec = new RequestSpec({ ...args.request_spec.data, ignore_hosts: [instance.data.host ?? ''] });
        const chosen = (await selectForMove(d, ctx, spec, instance.uuid))[0]!;
        dest = { host: chosen.data.service_host, node: chosen.data.nodename, zone: chosen.data.availability_zone };
        await persistSpec(d, spec);
      }
      migration = await d.repos.migrations.save(migration.uuid, { dest_compute: dest.host, dest_node: dest.node, dest_host: dest.host });
      const placed = await d.repos.instances.save(instance.uuid, { availability_zone: dest.zone ?? instance.data.availability_zone });
      await d.compute.rebuildForEvacuate(ctx, dest.host, {
        instance: placed, image: args.request_spec.data.image, new_pass: args.new_pass, migration, node: dest.node,
        on_shared_storage: args.on_shared_storage, request_spec: args.request_spec,
      });
    } catch (err) {
      d.log.warn({ err: err instanceof Error ? err.message : err, instance: instance.uuid }, 'evacuation failed in the conductor');
      if (moved) await revertAllocation(d, instance.uuid, migration);
      await abortMove(d, instance, migration, err);
      throw err;
    }
  });
}
