/**
 * The conductor's move tasks (nova/conductor/manager.py ComputeTaskManager.migrate_server,
 * live_migrate_instance, rebuild_instance for an evacuation, unshelve_instance): a second
 * endpoint of the compute_task namespace beside conductor/manager.ts, each method running its
 * task from conductor/tasks/.
 */
import type { RequestContext } from '../../../common/context.js';
import type { GlanceAPI } from '../image/glance.js';
import { expectObject, Flavor, Instance, Migration, RequestSpec } from '../objects/index.js';
import { COMPUTE_TASK_NAMESPACE, COMPUTE_TASK_RPC_VERSION } from '../rpc/topics.js';
import type { MoveTaskDeps } from './tasks/base.js';
import { evacuate } from './tasks/evacuate.js';
import { liveMigrate } from './tasks/live-migrate.js';
import { coldMigrate } from './tasks/migrate.js';
import { unshelve } from './tasks/unshelve.js';

export interface ConductorMoveOptions extends MoveTaskDeps {
  glance: GlanceAPI;
  /** [DEFAULT] service_down_time. */
  serviceDownTime: number;
}

export class ComputeTaskMoveManager {
  constructor(private readonly o: ConductorMoveOptions) {}

  endpoint(): object {
    const o = this.o;
    const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
    return {
      target: { version: COMPUTE_TASK_RPC_VERSION, namespace: COMPUTE_TASK_NAMESPACE },
      async migrate_server(ctx: RequestContext, a: Record<string, unknown>) {
        await coldMigrate(o, ctx, {
          instance: expectObject(a['instance'], Instance, 'instance'), flavor: expectObject(a['flavor'], Flavor, 'flavor'),
          request_spec: expectObject(a['request_spec'], RequestSpec, 'request_spec'), clean_shutdown: a['clean_shutdown'] !== false,
        });
      },
      async live_migrate_instance(ctx: RequestContext, a: Record<string, unknown>) {
        await liveMigrate(o, ctx, {
          instance: expectObject(a['instance'], Instance, 'instance'), host: str(a['host']),
          block_migration: typeof a['block_migration'] === 'boolean' ? a['block_migration'] : null,
          request_spec: expectObject(a['request_spec'], RequestSpec, 'request_spec'),
        }, o.serviceDownTime);
      },
      async rebuild_instance(ctx: RequestContext, a: Record<string, unknown>) {
        await evacuate(o, ctx, {
          instance: expectObject(a['instance'], Instance, 'instance'), new_pass: str(a['new_pass']), on_shared_storage: a['on_shared_storage'] === true,
          host: str(a['host']), request_spec: expectObject(a['request_spec'], RequestSpec, 'request_spec'),
          migration: expectObject(a['migration'], Migration, 'migration'),
        });
      },
      async unshelve_instance(ctx: RequestContext, a: Record<string, unknown>) {
        await unshelve(o, o.glance, ctx, expectObject(a['instance'], Instance, 'instance'), expectObject(a['request_spec'], RequestSpec, 'request_spec'));
      },
    };
  }
}
