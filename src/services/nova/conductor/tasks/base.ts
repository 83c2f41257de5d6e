/**
 * What the conductor's move tasks share (nova/conductor/tasks/base.py and migrate.py's
 * helpers): their dependencies, scheduling one server for a move, and the way back when the
 * move cannot start: the source allocation returned from the migration to the server, the
 * migration in error, the server in its state with no task and a fault (nova's
 * revert_allocation_for_migration and _set_vm_state_and_notify).
 */
import type { RequestContext } from '../../../../common/context.js';
import type { Logger } from '../../../../common/log/logger.js';
import type { ComputeMoveAPI } from '../../compute/rpcapi-move.js';
import type { NovaRepos } from '../../db/repos.js';
import { InstanceNotFound } from '../../errors.js';
import { RequestSpec, type Instance, type Migration, type Selection } from '../../objects/index.js';
import type { SchedulerReportClient } from '../../scheduler/client/report.js';
import type { SchedulerAPI } from '../../scheduler/rpcapi.js';

export interface MoveTaskDeps {
  repos: NovaRepos;
  scheduler: Pick<SchedulerAPI, 'selectDestinations'>;
  compute: ComputeMoveAPI;
  report: SchedulerReportClient;
  /** The conductor's host (instance action events). */
  host: string;
  log: Logger;
}

/** select_destinations for one server being moved: its chosen host first, then alternates. */
export async function selectForMove(d: MoveTaskDeps, ctx: RequestContext, spec: RequestSpec, instanceUuid: string): Promise<Selection[]> {
  const one = new RequestSpec({ ...spec.data, instance_uuid: instanceUuid, num_instances: 1 });
  const lists = await d.scheduler.selectDestinations(ctx, { spec_obj: one, instance_uuids: [instanceUuid], return_objects: true, return_alternates: true });
  return lists[0]!;
}

/**
 * The spec as it is kept between moves: what only this move asked for (ignored hosts, a
 * requested destination, forced hosts) is not persisted, as RequestSpec.save() drops it.
 */
export async function persistSpec(d: MoveTaskDeps, spec: RequestSpec): Promise<void> {
  await d.repos.requestSpecs.save(new RequestSpec({ ...spec.data, ignore_hosts: [], force_hosts: [], force_nodes: [], requested_destination: null, num_instances: 1 }));
}

/** The server's source allocation goes back from the migration (the destination's claim, if any, is dropped). */
export async function revertAllocation(d: MoveTaskDeps, instanceUuid: string, migration: Migration): Promise<void> {
  try {
    const moved = await d.report.moveAllocations(migration.uuid, instanceUuid);
    if (!moved) await d.report.deleteAllocationForInstance(instanceUuid);
  } catch (err) {
    d.log.error({ err, instance: instanceUuid, migration: migration.uuid }, 'could not give the source allocation back to the instance');
  }
}

/** A move that did not start: migration `status`, the server as it was (no task) with the fault. */
export async function abortMove(d: MoveTaskDeps, instance: Instance, migration: Migration | null, err: unknown, status = 'error'): Promise<void> {
  if (migration) await d.repos.migrations.save(migration.uuid, { status }).catch(() => undefined);
  try {
    await d.repos.faults.addFromError(instance.uuid, err, d.host);
    await d.repos.instances.save(instance.uuid, { task_state: null });
  } catch (e) {
    if (!(e instanceof InstanceNotFound)) throw e;
  }
}
