/**
 * unshelve_instance (nova/conductor/manager.py): a shelved server still on its host is powered
 * on there again; an offloaded one is placed anew: its shelved snapshot (none when it boots
 * from a volume) read from Glance, the scheduler asked for a host in the zone asked (and the
 * host asked, 2.91), which is claimed for it, then unshelve_instance cast to that host. When no
 * host fits the server stays SHELVED_OFFLOADED with the fault.
 */
import type { RequestContext } from '../../../../common/context.js';
import { withInstanceEvent } from '../../compute/event-reporter.js';
import { TaskState } from '../../compute/task-states.js';
import { VmState } from '../../compute/vm-states.js';
import type { GlanceAPI } from '../../image/glance.js';
import type { RequestSpec } from '../../objects/index.js';
import type { Instance } from '../../objects/index.js';
import { abortMove, persistSpec, selectForMove, type MoveTaskDeps } from './base.js';

export async function unshelve(d: MoveTaskDeps, glance: GlanceAPI, ctx: RequestContext, given: Instance, spec: RequestSpec): Promise<void> {
  const instance = await d.repos.instances.get(given.uuid);
  if (instance.data.vm_state === VmState.SHELVED) {
    await d.compute.unshelveInstance(ctx, instance.data.host!, { instance, image: null, node: instance.data.node!, request_spec: spec });
    return;
  }
  await withInstanceEvent(d.repos.actions, ctx, instance.uuid, 'schedule_instances', d.host, async () => {
    try {
      const imageId = instance.data.system_metadata['shelved_image_id'];
      const image = imageId ? await glance.get(ctx, imageId) : null;
      const hosts = await selectForMove(d, ctx, spec, instance.uuid);
      const chosen = hosts[0]!;
      await persistSpec(d, spec);
      const placed = await d.repos.instances.save(instance.uuid, { availability_zone: chosen.data.availability_zone ?? instance.data.availability_zone }, { task_state: [TaskState.UNSHELVING] });
      await d.compute.unshelveInstance(ctx, chosen.data.service_host, { instance: placed, image, node: chosen.data.nodename, request_spec: spec });
    } catch (err) {
      d.log.warn({ err: err instanceof Error ? err.message : err, instance: instance.uuid }, 'unshelve failed in the conductor');
      await d.report.deleteAllocationForInstance(instance.uuid).catch(() => undefined);
      await abortMove(d, instance, null, err);
      throw err;
    }
  });
}
