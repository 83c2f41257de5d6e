/**
 * The conductor role (nova-conductor): the ComputeTaskManager (builds, moves, image pre-caching) on the `conductor` topic, and the
 * build recovery (conductor/recovery.ts): once started, the builds a stopped cloud left BUILDING
 * with no host are built again, and a periodic check does the same for builds stuck longer than
 * [conductor] hostless_build_timeout.
 */
import { nowIso } from '../../../common/db/index.js';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { ComputeAPI } from '../compute/rpcapi.js';
import { ComputeMoveAPI } from '../compute/rpcapi-move.js';
import { conductorGroup, imageCacheGroup, novaDefaultGroup } from '../config.js';
import { ComputeTaskImageCacheManager } from '../conductor/image-cache-manager.js';
import { NovaNotifier } from '../notifications/notifier.js';
import { ComputeTaskManager } from '../conductor/manager.js';
import { ComputeTaskMoveManager } from '../conductor/move-manager.js';
import { BuildRecovery } from '../conductor/recovery.js';
import { BuildRecoveryRepo } from '../db/build-recovery.js';
import { CONDUCTOR_TOPIC } from '../rpc/topics.js';
import { SchedulerAPI } from '../scheduler/rpcapi.js';
import { WorkerService } from '../service.js';
import { glanceApi, neutronApi, reportClient, repositories } from './shared.js';

export async function createConductor(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const report = reportClient(ctx);
  const scheduler = new SchedulerAPI(ctx.transport);
  const manager = new ComputeTaskManager(repos, scheduler, new ComputeAPI(ctx.transport), report, ctx.host, ctx.log);
  const moves = new ComputeTaskMoveManager({
    repos, scheduler, compute: new ComputeMoveAPI(ctx.transport), report, host: ctx.host, log: ctx.log, glance: glanceApi(ctx),
    serviceDownTime: ctx.config.get(novaDefaultGroup).service_down_time,
  });
  const defaults = ctx.config.get(novaDefaultGroup);
  const imageCache = new ComputeTaskImageCacheManager({
    compute: new ComputeAPI(ctx.transport), services: repos.services, notifier: new NovaNotifier(ctx.transport, ctx.config, 'nova-conductor', ctx.host), log: ctx.log,
    settings: { concurrency: ctx.config.get(imageCacheGroup).precache_concurrency, serviceDownTime: defaults.service_down_time, callTimeout: defaults.long_rpc_timeout },
  });
  const service = new WorkerService({
    ctx, binary: 'nova-conductor', topic: CONDUCTOR_TOPIC, endpoints: [manager.endpoint(), moves.endpoint(), imageCache.endpoint()], services: repos.services,
  });
  const options = ctx.config.get(conductorGroup);
  const recovery = new BuildRecovery({
    repos, builds: new BuildRecoveryRepo(repos.db), report, network: neutronApi(ctx), host: ctx.host, log: ctx.log,
    conductor: { scheduleAndBuildInstances: (c, args) => manager.scheduleAndBuildInstances(c, args) },
    settings: {
      inProcessBus: ctx.transport.url.startsWith('inproc:'), serviceDownTime: ctx.config.get(novaDefaultGroup).service_down_time,
      hostlessBuildTimeout: options.hostless_build_timeout,
    },
  });
  let startPass: Promise<unknown> | undefined;
  return {
    async start() {
      const startedAt = nowIso();
      await service.start();
      if (options.recover_builds_on_start) {
        // In the background: the pass waits for the compute hosts, which start after this role.
        startPass = recovery.recoverOnStart(startedAt)
          .catch((err: unknown) => ctx.log.error({ err }, 'the recovery of the builds left by the previous run failed'));
      }
      ctx.periodic.add({
        name: 'recover_hostless_builds', interval: options.hostless_build_timeout > 0 ? options.hostless_build_check_interval : 0,
        run: async () => { await recovery.recoverStuck(); },
      });
    },
    async stop() {
      recovery.stop();
      await service.stop();
      await startPass;
    },
  };
}
