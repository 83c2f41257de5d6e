/**
 * The conductor's task manager (nova/conductor/manager.py ComputeTaskManager):
 *  - schedule_and_build_instances (cast from the API): the group's current hosts are read into
 *    the spec, the scheduler is called for every server of the request at once, then each
 *    server goes to its host with a build_and_run_instance cast (its zone set from the host
 *    when none was asked). When no host can take them, the servers go to ERROR with the
 *    NoValidHost fault. A server deleted meanwhile has its claim dropped.
 *  - build_instances (cast from a compute host after a failed build): the next alternate host
 *    whose allocation request Placement still accepts gets the server; when none is left the
 *    server goes to ERROR with MaxRetriesExceeded.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { ComputeAPI } from '../compute/rpcapi.js';
import type { NovaRepos } from '../db/repos.js';
import { InstanceNotFound, MaxRetriesExceeded, NoValidHost } from '../errors.js';
import { withInstanceEvent } from '../compute/event-reporter.js';
import { VmState } from '../compute/vm-states.js';
import {
  BlockDeviceMapping, expectObject, ImageMeta, Instance, NetworkRequestList, RequestSpec, Selection, type InstanceGroup,
} from '../objects/index.js';
import { COMPUTE_TASK_NAMESPACE, COMPUTE_TASK_RPC_VERSION } from '../rpc/topics.js';
import type { AllocationRequest, SchedulerReportClient } from '../scheduler/client/report.js';
import type { SchedulerAPI } from '../scheduler/rpcapi.js';
import type { BuildInstancesArgs, ScheduleAndBuildArgs } from './rpcapi.js';

export class ComputeTaskManager {
  constructor(
    private readonly repos: NovaRepos,
    private readonly scheduler: Pick<SchedulerAPI, 'selectDestinations'>,
    private readonly compute: Pick<ComputeAPI, 'buildAndRunInstance'>,
    private readonly report: SchedulerReportClient,
    private readonly host: string,
    private readonly log: Logger,
  ) {}

  /** The RPC endpoint of the conductor's compute_task namespace. */
  endpoint(): object {
    const m = this;
    const objects = <T>(v: unknown, check: (x: unknown) => T): T[] => (Array.isArray(v) ? v.map(check) : []);
    return {
      target: { version: COMPUTE_TASK_RPC_VERSION, namespace: COMPUTE_TASK_NAMESPACE },
      async schedule_and_build_instances(ctx: RequestContext, a: Record<string, unknown>) {
        await m.scheduleAndBuildInstances(ctx, {
          instances: objects(a['instances'], (x) => expectObject(x, Instance, 'instances')),
          request_specs: objects(a['request_specs'], (x) => expectObject(x, RequestSpec, 'request_specs')),
          image: expectObject(a['image'], ImageMeta, 'image'),
          admin_password: (a['admin_password'] as string | null) ?? null,
          injected_files: (a['injected_files'] as Array<[string, string]>) ?? [],
          requested_networks: expectObject(a['requested_networks'], NetworkRequestList, 'requested_networks'),
          block_device_mapping: objects(a['block_device_mapping'], (l) => objects(l, (x) => expectObject(x, BlockDeviceMapping, 'block_device_mapping'))),
          tags: (a['tags'] as string[]) ?? [],
        });
      },
      async build_instances(ctx: RequestContext, a: Record<string, unknown>) {
        await m.buildInstances(ctx, {
          instances: objects(a['instances'], (x) => expectObject(x, Instance, 'instances')),
          image: expectObject(a['image'], ImageMeta, 'image'),
          request_spec: expectObject(a['request_spec'], RequestSpec, 'request_spec'),
          admin_password: (a['admin_password'] as string | null) ?? null,
          injected_files: (a['injected_files'] as Array<[string, string]>) ?? [],
          requested_networks: expectObject(a['requested_networks'], NetworkRequestList, 'requested_networks'),
          block_device_mapping: objects(a['block_device_mapping'], (x) => expectObject(x, BlockDeviceMapping, 'block_device_mapping')),
          host_lists: objects(a['host_lists'], (l) => objects(l, (x) => expectObject(x, Selection, 'host_lists'))),
        });
      },
    };
  }

  /** The group with the hosts its members are on now (scheduler utils setup_instance_group). */
  private async refreshGroup(group: InstanceGroup | null): Promise<InstanceGroup | null> {
    if (!group) return null;
    return this.repos.groups.get(group.data.uuid).catch(() => group);
  }

  async scheduleAndBuildInstances(ctx: RequestContext, args: ScheduleAndBuildArgs): Promise<void> {
    const first = args.request_specs[0];
    if (!first || args.instances.length === 0) return;
    const uuids = args.instances.map((i) => i.uuid);
    const spec = new RequestSpec({ ...first.data, num_instances: uuids.length, instance_group: await this.refreshGroup(first.data.instance_group) });
    let hostLists: Selection[][];
    try {
      hostLists = await withInstanceEvent(this.repos.actions, ctx, uuids, 'conductor_schedule_and_build_instances', this.host, () =>
        this.scheduler.selectDestinations(ctx, { spec_obj: spec, instance_uuids: uuids, return_objects: true, return_alternates: true }));
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : err, instances: uuids }, 'Failed to schedule instances');
      for (const instance of args.instances) await this.setErrorState(ctx, instance, err);
      return;
    }
    for (const [i, instance] of args.instances.entries()) {
      const hostList = hostLists[i]!;
      const chosen = hostList[0]!;
      let current: Instance;
      try {
        // nova creates the instance in its cell here and announces it BUILDING as the conductor (send_update_with_states)
        current = await this.repos.instances.update(instance, {
          ...(instance.data.availability_zone ? {} : { availability_zone: chosen.data.availability_zone }),
        }, { vm_state: [VmState.BUILDING] }, undefined, 'conductor');
      } catch (err) {
        if (!(err instanceof InstanceNotFound)) throw err;
        this.log.debug({ instance: instance.uuid }, 'instance deleted while it was scheduled; dropping its claim');
        await this.report.deleteAllocationForInstance(instance.uuid).catch(() => undefined);
        continue;
      }
      await this.compute.buildAndRunInstance(ctx, chosen.data.service_host, {
        instance: current, image: args.image, request_spec: args.request_specs[i] ?? first, admin_password: args.admin_password,
        injected_files: args.injected_files, requested_networks: args.requested_networks, security_groups: current.data.security_groups,
        block_device_mapping: args.block_device_mapping[i] ?? [], node: chosen.data.nodename, limits: chosen.data.limits, host_list: hostList,
      });
    }
  }

  async buildInstances(ctx: RequestContext, args: BuildInstancesArgs): Promise<void> {
    for (const [i, instance] of args.instances.entries()) {
      const alternates = [...(args.host_lists[i] ?? [])];
      let chosen: Selection | undefined;
      while (alternates.length > 0) {
        const candidate = alternates.shift()!;
        const request = JSON.parse(candidate.data.allocation_request ?? '{"allocations":{}}') as AllocationRequest;
        if (await this.report.claimResources(instance.uuid, request, instance.data.project_id, instance.data.user_id)) {
          chosen = candidate;
          break;
        }
      }
      if (!chosen) {
        const err = new MaxRetriesExceeded(`Exhausted all hosts available for retrying build failures for instance ${instance.uuid}.`);
        this.log.error({ instance: instance.uuid }, err.message);
        await this.setErrorState(ctx, instance, err);
        continue;
      }
      const current = await this.repos.instances.find(instance.uuid);
      if (!current) {
        await this.report.deleteAllocationForInstance(instance.uuid).catch(() => undefined);
        continue;
      }
      await this.compute.buildAndRunInstance(ctx, chosen.data.service_host, {
        instance: current, image: args.image, request_spec: args.request_spec, admin_password: args.admin_password,
        injected_files: args.injected_files, requested_networks: args.requested_networks, security_groups: current.data.security_groups,
        block_device_mapping: args.block_device_mapping, node: chosen.data.nodename, limits: chosen.data.limits, host_list: [chosen, ...alternates],
      });
    }
  }

  /** A server no host takes: ERROR with the fault, no task (nova's _set_vm_state_and_notify). */
  private async setErrorState(_ctx: RequestContext, instance: Instance, err: unknown): Promise<void> {
    try {
      await this.repos.faults.addFromError(instance.uuid, err, this.host);
      await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null });
    } catch (e) {
      if (e instanceof InstanceNotFound) return;
      throw e;
    }
    if (!(err instanceof NoValidHost)) this.log.error({ err, instance: instance.uuid }, 'build of instance failed in the conductor');
  }
}
