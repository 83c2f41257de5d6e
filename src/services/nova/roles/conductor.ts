/** The conductor role (nova-conductor): the ComputeTaskManager on the `conductor` topic. */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { ComputeAPI } from '../compute/rpcapi.js';
import { ComputeMoveAPI } from '../compute/rpcapi-move.js';
import { novaDefaultGroup } from '../config.js';
import { ComputeTaskManager } from '../conductor/manager.js';
import { ComputeTaskMoveManager } from '../conductor/move-manager.js';
import { CONDUCTOR_TOPIC } from '../rpc/topics.js';
import { SchedulerAPI } from '../scheduler/rpcapi.js';
import { WorkerService } from '../service.js';
import { glanceApi, reportClient, repositories } from './shared.js';

export async function createConductor(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const manager = new ComputeTaskManager(repos, new SchedulerAPI(ctx.transport), new ComputeAPI(ctx.transport), reportClient(ctx), ctx.host, ctx.log);
  const scheduler = new SchedulerAPI(ctx.transport);
  const moves = new ComputeTaskMoveManager({
    repos, scheduler, compute: new ComputeMoveAPI(ctx.transport), report: reportClient(ctx), host: ctx.host, log: ctx.log, glance: glanceApi(ctx),
    serviceDownTime: ctx.config.get(novaDefaultGroup).service_down_time,
  });
  return new WorkerService({ ctx, binary: 'nova-conductor', topic: CONDUCTOR_TOPIC, endpoints: [manager.endpoint(), moves.endpoint()], services: repos.services });
}
