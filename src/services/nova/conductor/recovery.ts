/**
 * Build recovery in the conductor: servers left BUILDING on no host by a cloud that stopped
 * (or by a build request the bus lost) are built again, or put in ERROR with a fault saying why
 * they cannot be; a delete that was in progress is completed.
 *
 * Departure from nova: nova has no such thing. A server whose schedule_and_build_instances cast
 * was lost (the conductor or the scheduler died during it, or the cast to the compute host after
 * the Placement claim was lost) stays BUILDING / scheduling for ever, holding its Placement
 * allocation; the operator has to delete it. Nubo's all-in-one process runs the bus in memory,
 * so a crash loses every message in flight: here the conductor drives those builds again.
 *
 * When it is safe to build again (never twice at once):
 *  - at start (recoverOnStart), for the host-less builds last written before this conductor
 *    started, and (in-process bus) the builds the compute hosts' init_host took back from
 *    themselves (launched_on names the host): always with the in-process bus (every message died with the process); with a
 *    broker only when no other conductor service is up ([DEFAULT] service_down_time on the
 *    services heartbeats), since another conductor may be working on them. It first waits until
 *    every compute service that is up has started again (its start heartbeat), so that the
 *    build casts reach a listening host.
 *  - periodically (recoverStuck), for the host-less builds not written for [conductor]
 *    hostless_build_timeout seconds, by any conductor.
 * Either way a conductor claims each server first (a compare-and-swap on its updated_at,
 * db/build-recovery.ts), so two conductors never both take it.
 *
 * Building again: whatever Placement holds for the server (a scheduler's claim whose compute
 * cast was lost) and the ports Neutron has with its device_id go first (the ports the user gave
 * are unbound, not deleted), then the server, back in task scheduling, goes through the
 * conductor's schedule_and_build_instances with its stored request spec, block device mappings
 * and the networks of the request (which Nubo persists in the spec for this), under the request
 * id of its create action. What cannot be built again ends in ERROR with a fault: no request spec,
 * or a spec written before the networks were kept. A server whose latest action is a delete (the
 * API's local delete was cut short) is deleted: ports, allocation, record.
 *
 * Not redone: the admin password and the personality files of the request (stored-build.ts).
 * Servers mid-build on a host are the compute host's init_host's (compute/manager.ts).
 */
import type { RequestContext } from '../../../common/context.js';
import { isoSeconds } from '../../../common/db/index.js';
import type { Logger } from '../../../common/log/logger.js';
import { InstanceAction } from '../compute/instance-actions.js';
import { TaskState } from '../compute/task-states.js';
import { VmState } from '../compute/vm-states.js';
import type { BuildRecoveryRepo, HostlessBuild } from '../db/build-recovery.js';
import type { NovaRepos } from '../db/repos.js';
import { serviceIsUp } from '../db/services.js';
import { BuildAbortException, InstanceNotFound } from '../errors.js';
import type { NeutronAPI } from '../network/neutron.js';
import type { Instance, RequestSpec } from '../objects/index.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import type { ComputeTaskManager } from './manager.js';
import { createRequestContext, storedBuildArgs, userPortsOf, whyNotRebuildable } from './stored-build.js';

export interface BuildRecoverySettings {
  /** The bus is in this process ([DEFAULT] transport_url inproc://): a crash lost every message. */
  inProcessBus: boolean;
  /** [DEFAULT] service_down_time, seconds. */
  serviceDownTime: number;
  /** [conductor] hostless_build_timeout, seconds (0: the periodic check is off). */
  hostlessBuildTimeout: number;
  /** How often the start-up pass looks whether the compute services are back, ms. */
  pollMs?: number;
}

export interface BuildRecoveryDeps {
  repos: NovaRepos;
  builds: BuildRecoveryRepo;
  report: Pick<SchedulerReportClient, 'deleteAllocationForInstance'>;
  network: Pick<NeutronAPI, 'deallocateForInstance'>;
  conductor: Pick<ComputeTaskManager, 'scheduleAndBuildInstances'>;
  /** This conductor's host (its services record, the faults it writes). */
  host: string;
  settings: BuildRecoverySettings;
  log: Logger;
}

/** What a pass did, for the logs and the tests. */
export interface RecoveryOutcome {
  rebuilt: string[];
  failed: string[];
  deleted: string[];
  /** Why the pass did nothing, when it did not run. */
  skipped?: string;
}

export class BuildRecovery {
  private stopping = false;

  constructor(private readonly d: BuildRecoveryDeps) {}

  /** The conductor stops: a pass still waiting for the compute services gives up. */
  stop(): void {
    this.stopping = true;
  }

  private get repos(): NovaRepos {
    return this.d.repos;
  }

  /**
   * The start-up pass: the host-less builds written before `startedAt` (the conductor's start),
   * when it is safe (see the module comment).
   */
  async recoverOnStart(startedAt: string): Promise<RecoveryOutcome> {
    if (!this.d.settings.inProcessBus) {
      const others = (await this.repos.services.list({ binary: 'nova-conductor' }))
        .filter((s) => s.host !== this.d.host && serviceIsUp(s, this.d.settings.serviceDownTime));
      if (others.length > 0) {
        const skipped = `conductor(s) ${others.map((s) => s.host).join(', ')} up: their builds are left to them and to the periodic check`;
        this.d.log.info(skipped);
        return { rebuilt: [], failed: [], deleted: [], skipped };
      }
    }
    const lost = await this.d.builds.hostlessBuilds(startedAt);
    await this.waitForComputeServices(startedAt);
    if (this.stopping) return { rebuilt: [], failed: [], deleted: [], skipped: 'the conductor is stopping' };
    // the builds the compute hosts' init_host took back (only with the in-process bus) are known once they are back
    const interrupted = this.d.settings.inProcessBus ? await this.d.builds.interruptedBuilds() : [];
    const builds = [...lost, ...interrupted.filter((i) => !lost.some((l) => l.uuid === i.uuid))];
    if (builds.length === 0) return { rebuilt: [], failed: [], deleted: [] };
    this.d.log.warn({ count: builds.length }, 'servers were left BUILDING with no host by the previous run: building them again');
    return this.recover(builds, 'The cloud stopped while the server was being scheduled.');
  }

  /** The periodic pass: host-less builds unchanged for [conductor] hostless_build_timeout. */
  async recoverStuck(now = Date.now()): Promise<RecoveryOutcome> {
    const timeout = this.d.settings.hostlessBuildTimeout;
    if (timeout <= 0) return { rebuilt: [], failed: [], deleted: [], skipped: 'hostless_build_timeout is 0' };
    const cutoff = isoSeconds(new Date(now - timeout * 1000));
    const builds = await this.d.builds.hostlessBuilds(cutoff);
    if (builds.length === 0) return { rebuilt: [], failed: [], deleted: [] };
    this.d.log.warn({ count: builds.length, timeout }, 'servers BUILDING with no host for longer than [conductor] hostless_build_timeout: building them again');
    return this.recover(builds, `The server was BUILDING with no host for more than ${timeout} seconds: its build request was lost.`);
  }

  /**
   * Wait until each compute service either wrote a heartbeat since `startedAt` (its start, see
   * service.ts) or is down; at most [DEFAULT] service_down_time, after which the ones not back
   * count as down anyway.
   */
  private async waitForComputeServices(startedAt: string): Promise<void> {
    const deadline = Date.now() + this.d.settings.serviceDownTime * 1000;
    const pollMs = this.d.settings.pollMs ?? 200;
    for (;;) {
      const computes = await this.repos.services.list({ binary: 'nova-compute' });
      const waiting = computes.filter((s) => serviceIsUp(s, this.d.settings.serviceDownTime) && (s.last_seen_up ?? '') < startedAt);
      if (waiting.length === 0 || Date.now() >= deadline || this.stopping) return;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** Claim each build, then delete, fail or build it again. */
  private async recover(builds: readonly HostlessBuild[], reason: string): Promise<RecoveryOutcome> {
    const outcome: RecoveryOutcome = { rebuilt: [], failed: [], deleted: [] };
    const claimed: string[] = [];
    for (const b of builds) if (await this.d.builds.claim(b)) claimed.push(b.uuid);
    const instances = await this.repos.instances.byUuids(claimed);
    /** Servers of one request go to the scheduler together, as they first did. */
    const requests = new Map<string, { ctx: RequestContext; servers: Array<{ instance: Instance; spec: RequestSpec }> }>();
    for (const instance of instances) {
      const uuid = instance.uuid;
      try {
        const latest = await this.repos.actions.latest(uuid);
        const spec = await this.repos.requestSpecs.get(uuid);
        if (latest?.action === InstanceAction.DELETE) {
          await this.completeDelete(instance, spec);
          outcome.deleted.push(uuid);
          continue;
        }
        const why = whyNotRebuildable(spec);
        if (why) {
          await this.fail(instance, spec, new BuildAbortException(uuid, `${reason} It cannot be built again: ${why}.`));
          outcome.failed.push(uuid);
          continue;
        }
        await this.releaseResources(instance, spec);
        const scheduling = await this.repos.instances.save(uuid, { task_state: TaskState.SCHEDULING, node: null, launched_on: null }, { vm_state: [VmState.BUILDING] });
        const ctx = await createRequestContext(this.repos, uuid);
        const key = `${instance.data.reservation_id}|${ctx.requestId}`;
        const entry = requests.get(key) ?? { ctx, servers: [] };
        entry.servers.push({ instance: scheduling, spec: spec! });
        requests.set(key, entry);
      } catch (err) {
        if (err instanceof InstanceNotFound) continue;
        this.d.log.error({ err, instance: uuid }, 'could not recover the build of the server; the periodic check will try again');
      }
    }
    for (const r of requests.values()) {
      const uuids = r.servers.map((s) => s.instance.uuid);
      this.d.log.info({ instances: uuids, request: r.ctx.requestId }, 'building again');
      await this.d.conductor.scheduleAndBuildInstances(r.ctx, await storedBuildArgs(this.repos, r.servers));
      outcome.rebuilt.push(...uuids);
    }
    return outcome;
  }

  /** What the lost build may hold: its Placement allocation and the ports with its device_id. */
  private async releaseResources(instance: Instance, spec: RequestSpec | undefined): Promise<void> {
    if (await this.d.report.deleteAllocationForInstance(instance.uuid)) {
      this.d.log.info({ instance: instance.uuid }, 'dropped the Placement allocation of a lost build');
    }
    await this.d.network.deallocateForInstance(instance, userPortsOf(spec));
    if (instance.data.network_info.length > 0) await this.repos.instances.setNetworkInfo(instance.uuid, []);
  }

  /** ERROR with the fault, and nothing held (nova's _set_vm_state_and_notify after a failed build). */
  private async fail(instance: Instance, spec: RequestSpec | undefined, err: BuildAbortException): Promise<void> {
    this.d.log.error({ instance: instance.uuid }, err.message);
    await this.releaseResources(instance, spec);
    await this.repos.faults.addFromError(instance.uuid, err, this.d.host);
    await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null }, { vm_state: [VmState.BUILDING] });
  }

  /** The rest of the API's local delete (compute/api.ts localDelete): ports, allocation, record. */
  private async completeDelete(instance: Instance, spec: RequestSpec | undefined): Promise<void> {
    this.d.log.info({ instance: instance.uuid }, 'completing the delete of a server the previous run did not finish');
    await this.releaseResources(instance, spec);
    await this.repos.instances.destroy(instance.uuid);
    await this.repos.requestSpecs.destroy(instance.uuid);
  }
}

