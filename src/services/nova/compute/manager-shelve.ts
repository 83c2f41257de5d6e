/**
 * Shelving on the compute host (nova/compute/manager.py shelve_instance,
 * shelve_offload_instance, unshelve_instance, _poll_shelved_instances):
 *  shelve: the guest is powered off, its disk uploaded to the image the API created
 *    (SHELVING_IMAGE_PENDING_UPLOAD -> SHELVING_IMAGE_UPLOADING), shelved_at / shelved_image_id /
 *    shelved_host kept; SHELVED. With [DEFAULT] shelved_offload_time 0 it is offloaded at once.
 *  shelve offload: the guest is destroyed, its ports unbound from the host, its allocation
 *    freed; SHELVED_OFFLOADED with no host or node.
 *  unshelve: on a host the conductor chose (claimed in Placement), the ports bound here and the
 *    guest spawned from the shelved image, which is deleted afterwards; a server shelved but
 *    not offloaded is powered on where it is. ACTIVE.
 *  The periodic task offloads servers shelved longer than shelved_offload_time seconds.
 */
import type { ImageClient } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import { type BlockDeviceMapping, expectObject, ImageMeta, Instance, RequestSpec } from '../objects/index.js';
import { COMPUTE_RPC_VERSION } from '../rpc/topics.js';
import { withInstanceEvent } from './event-reporter.js';
import { InstanceAction } from './instance-actions.js';
import type { ComputeMoveManager } from './manager-move.js';
import { PowerState } from './power-state.js';
import type { UnshelveArgs } from './rpcapi-move.js';
import { deleteShelveImage, uploadShelveImage } from './shelve-image.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

const SHELVED_KEYS = ['shelved_at', 'shelved_image_id', 'shelved_host'] as const;

/** A server's volumes across a shelve offload and unshelve (volume-attach.ts). */
export interface ShelveVolumes {
  /** The offload: each volume left reserved for the server, connected to no host. */
  terminateConnections(ctx: RequestContext, instance: Instance): Promise<void>;
  /** The unshelve: connected to the new host (devices named), then completed after the spawn. */
  prepForSpawn(ctx: RequestContext, instance: Instance): Promise<BlockDeviceMapping[]>;
  completeAfterSpawn(ctx: RequestContext, bdms: readonly BlockDeviceMapping[]): Promise<void>;
}

export class ComputeShelveManager {
  constructor(
    private readonly m: ComputeMoveManager, private readonly images: ImageClient, private readonly shelvedOffloadTime: number,
    private readonly volumes?: ShelveVolumes,
  ) {}

  private get o() {
    return this.m.o;
  }

  endpoint(): object {
    const s = this;
    const inst = (a: Record<string, unknown>) => expectObject(a['instance'], Instance, 'instance');
    return {
      target: { version: COMPUTE_RPC_VERSION },
      async shelve_instance(ctx: RequestContext, a: Record<string, unknown>) {
        await s.shelveInstance(ctx, inst(a), String(a['image_id']));
      },
      async shelve_offload_instance(ctx: RequestContext, a: Record<string, unknown>) {
        await s.shelveOffloadInstance(ctx, inst(a));
      },
      async unshelve_instance(ctx: RequestContext, a: Record<string, unknown>) {
        await s.unshelveInstance(ctx, {
          instance: inst(a), image: a['image'] ? expectObject(a['image'], ImageMeta, 'image') : null, node: String(a['node']),
          request_spec: expectObject(a['request_spec'], RequestSpec, 'request_spec'),
        });
      },
    };
  }

  private step<T>(ctx: RequestContext, uuid: string, event: string, fn: () => Promise<T>): Promise<T> {
    return this.m.locks.run(uuid, () => withInstanceEvent(this.o.repos.actions, ctx, uuid, event, this.o.host, fn));
  }

  /** An error in a shelve step: the fault, and the server back to `vmState` with no task. */
  private async fail(uuid: string, err: unknown, vmState?: string): Promise<void> {
    this.o.log.error({ err, instance: uuid }, 'shelve step failed');
    await this.o.repos.faults.addFromError(uuid, err, this.o.host).catch(() => undefined);
    await this.o.repos.instances.save(uuid, { task_state: null, ...(vmState ? { vm_state: vmState } : {}) }).catch(() => undefined);
  }

  async shelveInstance(ctx: RequestContext, given: Instance, imageId: string): Promise<void> {
    const uuid = given.uuid;
    await this.step(ctx, uuid, 'compute_shelve_instance', async () => {
      const repos = this.o.repos;
      try {
        let instance = await repos.instances.get(uuid);
        await this.o.notifier.instanceAction(ctx, instance, 'shelve', 'start');
        if (this.o.driver.getInfo(instance).state !== PowerState.SHUTDOWN) await this.o.driver.powerOff(instance);
        // The driver's snapshot, its task states mapped to shelve's (nova's _shelve_instance update_task_state).
        const shelving: Record<string, string> = {
          [TaskState.IMAGE_PENDING_UPLOAD]: TaskState.SHELVING_IMAGE_PENDING_UPLOAD, [TaskState.IMAGE_UPLOADING]: TaskState.SHELVING_IMAGE_UPLOADING,
          [TaskState.SHELVING]: TaskState.SHELVING,
        };
        await this.o.driver.snapshot(ctx, instance, imageId, async (state, expected = TaskState.SHELVING) => {
          await repos.instances.save(uuid, { task_state: shelving[state] ?? state }, { task_state: [shelving[expected] ?? expected] });
        }, (data, meta) => uploadShelveImage(this.images, ctx, imageId, data, meta));
        await repos.moveState.setSystemMetadata(uuid, 'shelved_at', new Date().toISOString());
        await repos.moveState.setSystemMetadata(uuid, 'shelved_image_id', imageId);
        await repos.moveState.setSystemMetadata(uuid, 'shelved_host', this.o.host);
        const offload = this.shelvedOffloadTime === 0;
        instance = await repos.instances.save(uuid, {
          vm_state: VmState.SHELVED, task_state: offload ? TaskState.SHELVING_OFFLOADING : null, power_state: PowerState.SHUTDOWN,
        }, { task_state: [TaskState.SHELVING_IMAGE_UPLOADING] });
        await this.o.notifier.instanceAction(ctx, instance, 'shelve', 'end');
        if (offload) await this.offload(ctx, instance);
      } catch (err) {
        await deleteShelveImage(this.images, ctx, imageId).catch(() => undefined);
        await this.fail(uuid, err);
        throw err;
      }
    });
  }

  async shelveOffloadInstance(ctx: RequestContext, given: Instance): Promise<void> {
    await this.step(ctx, given.uuid, 'compute_shelve_offload_instance', async () => {
      try {
        await this.offload(ctx, await this.o.repos.instances.get(given.uuid));
      } catch (err) {
        await this.fail(given.uuid, err);
        throw err;
      }
    });
  }

  /** _shelve_offload_instance: guest, port bindings and allocation leave this host. */
  private async offload(ctx: RequestContext, instance: Instance): Promise<void> {
    const { repos, driver } = this.o;
    const uuid = instance.uuid;
    await this.o.notifier.instanceAction(ctx, instance, 'shelve_offload', 'start');
    if (driver.instanceExists(instance) && driver.getInfo(instance).state !== PowerState.SHUTDOWN) await driver.powerOff(instance);
    const networkInfo = await this.o.network.bindPortsToHost(instance, '');
    await repos.instances.setNetworkInfo(uuid, networkInfo);
    await driver.destroy(ctx, instance, networkInfo);
    await this.volumes?.terminateConnections(ctx, instance);
    await this.o.report.deleteAllocationForInstance(uuid);
    const offloaded = await repos.instances.save(uuid, {
      vm_state: VmState.SHELVED_OFFLOADED, task_state: null, power_state: PowerState.SHUTDOWN, host: null, node: null,
    }, { task_state: [TaskState.SHELVING, TaskState.SHELVING_OFFLOADING] });
    if (instance.data.node) await this.o.tracker.refreshNode(instance.data.node);
    await this.o.notifier.instanceAction(ctx, offloaded, 'shelve_offload', 'end');
  }

  async unshelveInstance(ctx: RequestContext, args: UnshelveArgs): Promise<void> {
    const uuid = args.instance.uuid;
    await this.step(ctx, uuid, 'compute_unshelve_instance', async () => {
      const { repos, driver } = this.o;
      let instance = await repos.instances.get(uuid);
      const offloaded = instance.data.vm_state === VmState.SHELVED_OFFLOADED;
      try {
        await this.o.notifier.instanceAction(ctx, instance, 'unshelve', 'start');
        if (offloaded) {
          // the simulated L2 agent reports a port up as soon as it is bound: keep its event for the spawn's wait (as a build does)
          this.o.events?.begin(uuid);
          instance = await this.o.tracker.instanceClaim(instance, args.node);
          instance = await repos.instances.save(uuid, { task_state: TaskState.SPAWNING }, { task_state: [TaskState.UNSHELVING] });
          const networkInfo = await this.o.network.bindPortsToHost(instance, this.o.host);
          await repos.instances.setNetworkInfo(uuid, networkInfo);
          // _prep_block_device: the volumes connected to this host (a volume attached while offloaded gets its device)
          const blockDevices = (await this.volumes?.prepForSpawn(ctx, instance)) ?? await repos.bdms.byInstance(uuid);
          await driver.spawn({ context: ctx, instance, image: args.image ?? ImageMeta.empty(), injectedFiles: [], adminPassword: null, networkInfo, blockDevices });
          await this.volumes?.completeAfterSpawn(ctx, blockDevices);
        } else {
          await driver.powerOn(ctx, instance, instance.data.network_info);
        }
        const imageId = instance.data.system_metadata['shelved_image_id'];
        if (imageId) await deleteShelveImage(this.images, ctx, imageId).catch((err: unknown) => this.o.log.warn({ err, image: imageId }, 'could not delete the shelved image'));
        for (const key of SHELVED_KEYS) await repos.moveState.setSystemMetadata(uuid, key, null);
        instance = await repos.instances.save(uuid, {
          vm_state: VmState.ACTIVE, task_state: null, power_state: driver.getInfo(instance).state, launched_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        }, { task_state: [TaskState.SPAWNING, TaskState.UNSHELVING] });
        await this.o.tracker.refreshNode(args.node);
        await this.o.notifier.instanceAction(ctx, instance, 'unshelve', 'end');
      } catch (err) {
        if (offloaded) {
          await driver.destroy(ctx, instance, []).catch(() => undefined);
          await this.o.network.bindPortsToHost(instance, '').catch(() => undefined);
          await this.o.report.deleteAllocationForInstance(uuid).catch(() => undefined);
          await repos.instances.save(uuid, { host: null, node: null }).catch(() => undefined);
        }
        await this.fail(uuid, err, offloaded ? VmState.SHELVED_OFFLOADED : VmState.SHELVED);
        throw err;
      } finally {
        this.o.events?.end(uuid);
      }
    });
  }

  /** _poll_shelved_instances: servers shelved here longer than shelved_offload_time are offloaded. */
  async pollShelvedInstances(ctx: RequestContext): Promise<void> {
    if (this.shelvedOffloadTime <= 0) return;
    const now = Date.now();
    for (const instance of await this.o.repos.instances.byHost(this.o.host)) {
      if (instance.data.vm_state !== VmState.SHELVED || instance.data.task_state !== null) continue;
      const at = Date.parse(instance.data.system_metadata['shelved_at'] ?? '');
      if (!Number.isFinite(at) || now - at < this.shelvedOffloadTime * 1000) continue;
      const claimed = await this.o.repos.instances.save(instance.uuid, { task_state: TaskState.SHELVING_OFFLOADING }, { task_state: [null] }).catch(() => undefined);
      if (!claimed) continue;
      await this.o.repos.actions.start(instance.uuid, InstanceAction.SHELVE_OFFLOAD, ctx.requestId, instance.data.user_id, instance.data.project_id);
      await this.shelveOffloadInstance(ctx, claimed).catch((err: unknown) => this.o.log.error({ err, instance: instance.uuid }, 'periodic offload failed'));
    }
  }
}
