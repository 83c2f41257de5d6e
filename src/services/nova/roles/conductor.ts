/** The conductor role (nova-conductor): the ComputeTaskManager on the `conductor` topic. */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { ComputeAPI } from '../compute/rpcapi.js';
import { ComputeTaskManager } from '../conductor/manager.js';
import { CONDUCTOR_TOPIC } from '../rpc/topics.js';
import { SchedulerAPI } from '../scheduler/rpcapi.js';
import { WorkerService } from '../service.js';
import { reportClient, repositories } from './shared.js';

export async function createConductor(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const manager = new ComputeTaskManager(repos, new SchedulerAPI(ctx.transport), new ComputeAPI(ctx.transport), reportClient(ctx), ctx.host, ctx.log);
  return new WorkerService({ ctx, binary: 'nova-conductor', topic: CONDUCTOR_TOPIC, endpoints: [manager.endpoint()], services: repos.services });
}
