/**
 * The compute API (nova/compute/api.py's API): what the REST layer calls to act on servers.
 *  - create: checks the flavor, image, key pair, networks, security groups, zone, group and
 *    quotas; records the servers (BUILDING / scheduling), their request specs, block device
 *    mappings and 'create' actions; casts schedule_and_build_instances to the conductor.
 *  - delete / force delete / soft delete and restore: a server on a live compute host is marked
 *    deleting (soft-deleting) and its host is cast terminate_instance (soft_delete_instance); a
 *    server never placed (or whose host is down) is deleted here: its ports, its allocation and
 *    its record. restore brings a SOFT_DELETED server back.
 *  - stop / start: task_state powering-off / powering-on, then a cast to the host.
 *  - external events: Neutron's events routed to the hosts of their servers.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import { nowIso } from '../../../common/db/index.js';
import type { ComputeTaskAPI } from '../conductor/rpcapi.js';
import { hostAvailabilityZone } from '../db/aggregates.js';
import type { NovaRepos } from '../db/repos.js';
import { serviceIsUp } from '../db/services.js';
import {
  AmbiguousHostnameForMultipleInstances, BootFromVolumeRequiredForZeroDiskFlavor, ComputeHostNotFound, FlavorDiskSmallerThanImage,
  FlavorDiskSmallerThanMinDisk, FlavorMemoryTooSmall, FlavorNotFound, ImageNotActive, InstanceInvalidState, InstanceIsLocked,
  InvalidAvailabilityZone, InvalidBDM, InstanceNotFound, InstanceNotReady, PortNotFound,
  CinderServiceUnavailable, InvalidInput, InvalidVolume, MultiattachNotSupportedOldMicroversion, MultiattachSwapVolumeNotSupported, MultiattachToShelvedNotSupported, VolumeTaggedAttachToShelvedNotSupported, VolumeSmallerThanMinDisk,
} from '../errors.js';
import type { GlanceAPI } from '../image/glance.js';
import type { NeutronAPI } from '../network/neutron.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import type { CinderAPI, Volume } from '../volume/cinder.js';
import {
  BlockDeviceMapping, ImageMeta, NetworkRequestList, RequestSpec, type Flavor, Instance, type InstanceGroup, type VifInfo,
} from '../objects/index.js';
import type { SchedulerReportClient } from '../scheduler/client/report.js';
import { ServerLifecycleApi, type LifecycleRpc } from './api-lifecycle.js';
import { blockDeviceMappings, checkVolumeSources, isVolumeBacked, rootDeviceRequest } from './block-device-requests.js';
import { imageDefinedBlockDevices, mergeBlockDevices } from './volume-backed-images.js';
import { InstanceAction } from './instance-actions.js';
import { nextDeviceName } from './block-device-names.js';
import { checkInstanceState, INTERFACE_VM_STATES, SETTLED_VM_STATES, SWAP_VM_STATES, VOLUME_VM_STATES } from './instance-state.js';
import { instanceNames, newReservationId, systemMetadataFromImage } from './instance-naming.js';
import { PowerState } from './power-state.js';
import type { QuotaChecker } from './quota.js';
import type { ComputeAPI as ComputeRpcAPI, InstanceExternalEvent } from './rpcapi.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';
import type { InstanceDiagnostics } from '../virt/diagnostics.js';

/** One entry of block_device_mapping_v2 as the REST layer validated it. */
export interface BlockDeviceRequest {
  source_type: 'image' | 'volume' | 'snapshot' | 'blank';
  destination_type?: 'local' | 'volume';
  uuid?: string;
  boot_index?: number | null;
  volume_size?: number;
  delete_on_termination?: boolean;
  device_name?: string;
  guest_format?: string;
  disk_bus?: string;
  device_type?: string;
  volume_type?: string;
  tag?: string;
  no_device?: boolean;
}

export interface CreateServerRequest {
  flavor: Flavor;
  imageId: string | null;
  name: string;
  description: string | null;
  hostname?: string;
  keyName: string | null;
  userData: string | null;
  metadata: Record<string, string>;
  securityGroups: string[];
  availabilityZone: string | null;
  forcedHost: string | null;
  forcedNode: string | null;
  /** 2.74 host / hypervisor_hostname: a destination the filters still check. */
  requestedHost: string | null;
  requestedNode: string | null;
  /** null: nothing asked (before 2.37: the project's one network, if any). */
  requestedNetworks: NetworkRequestList | null;
  blockDevices: BlockDeviceRequest[];
  minCount: number;
  maxCount: number;
  schedulerHints: Record<string, string[]>;
  tags: string[];
  accessIPv4: string | null;
  accessIPv6: string | null;
  configDrive: boolean;
  adminPassword: string | null;
  autoDiskConfig: boolean;
  /** The caller may boot a zero-disk flavor from an image (policy servers:create:zero_disk_flavor). */
  allowZeroDiskFlavor: boolean;
  /** personality (before 2.57): [path, base64 contents] pairs, checked against the injected file quotas. */
  injectedFiles?: Array<[string, string]>;
}

export interface ComputeApiSettings {
  defaultScheduleZone: string | null;
  defaultAvailabilityZone: string;
  serviceDownTime: number;
  recheckQuota: boolean;
}

export interface ComputeApiDeps {
  repos: NovaRepos;
  glance: GlanceAPI;
  network: NeutronAPI;
  conductor: Pick<ComputeTaskAPI, 'scheduleAndBuildInstances'>;
  compute: Pick<ComputeRpcAPI, 'terminateInstance' | 'softDeleteInstance' | 'restoreInstance' | 'stopInstance' | 'startInstance' | 'externalInstanceEvent' | 'getConsoleOutput'
    | 'getDiagnostics' | 'getInstanceDiagnostics'
    | 'attachInterface' | 'detachInterface' | 'attachVolume' | 'detachVolume' | 'swapVolume'> & LifecycleRpc;
  report: SchedulerReportClient;
  quotas: QuotaChecker;
  /** Cinder (volume attachments); none: every volume request is CinderServiceUnavailable. */
  volume?: CinderAPI;
  notifier: NovaNotifier;
  settings: ComputeApiSettings;
  log: Logger;
  /** What a move left to settle before a delete (a resize confirmed, a shelved snapshot deleted: compute/api-move.ts). */
  beforeDelete?(ctx: RequestContext, instance: Instance): Promise<void>;
}

const GiB = 1024 ** 3;

export class ComputeApi {
  /** Reboot, pause, suspend, rescue, password, crash dump, lock, reset state, snapshot, backup, rebuild, consoles (api-lifecycle.ts). */
  readonly lifecycle: ServerLifecycleApi;

  constructor(private readonly d: ComputeApiDeps) {
    this.lifecycle = new ServerLifecycleApi({
      ...d, checkImage: (...args) => this.checkImage(...args), checkMetadata: (projectId, count) => d.quotas.checkMetadata(projectId, count),
    });
  }

  private get repos(): NovaRepos {
    return this.d.repos;
  }

  /** Zones with at least one enabled compute host (get_availability_zones with only available ones). */
  async availableZones(): Promise<Set<string>> {
    const services = await this.repos.services.list({ binary: 'nova-compute' });
    const aggregates = await this.repos.aggregates.byHost();
    return new Set(services.filter((s) => !s.disabled).map((s) => hostAvailabilityZone(aggregates.get(s.host) ?? [], this.d.settings.defaultAvailabilityZone)));
  }

  /** The flavor/image checks of _validate_flavor_image_nostatus and the image's status. */
  private checkImage(image: ImageMeta, flavor: Flavor, volumeBacked: boolean, allowZeroDisk: boolean, rootVolumeGb?: number): void {
    const i = image.data;
    const f = flavor.data;
    if (i.status !== 'active') throw new ImageNotActive(i.id);
    if (i.min_ram > f.memory_mb) throw new FlavorMemoryTooSmall();
    if (volumeBacked) {
      // The root volume is to be made from the image: its size against the image's min_disk.
      if (rootVolumeGb !== undefined && i.min_disk * GiB > rootVolumeGb * GiB) throw new VolumeSmallerThanMinDisk(rootVolumeGb * GiB, i.min_disk * GiB);
      return;
    }
    if (f.root_gb === 0) {
      if (!allowZeroDisk) throw new BootFromVolumeRequiredForZeroDiskFlavor();
      return;
    }
    const rootBytes = f.root_gb * GiB;
    if ((i.size ?? 0) > rootBytes) throw new FlavorDiskSmallerThanImage(rootBytes, i.size ?? 0);
    if (i.min_disk > f.root_gb) throw new FlavorDiskSmallerThanMinDisk(rootBytes, i.min_disk * GiB);
  }

  /** POST /servers: records the servers and casts their build. */
  async create(ctx: RequestContext, req: CreateServerRequest): Promise<{ instances: Instance[]; reservationId: string }> {
    const projectId = ctx.projectId ?? '';
    const userId = ctx.userId ?? '';
    const { flavor } = req;
    if (flavor.data.disabled) throw new FlavorNotFound(flavor.data.flavorid);
    if (req.hostname && req.maxCount > 1) throw new AmbiguousHostnameForMultipleInstances();
    if (!req.imageId && req.blockDevices.length === 0) throw new InvalidBDM('Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.');
    const requestedImage = req.imageId ? await this.d.glance.get(ctx, req.imageId) : undefined;
    // An image of a volume-backed server maps its volumes' snapshots: they join the request's devices.
    const blockDevices = requestedImage ? mergeBlockDevices(imageDefinedBlockDevices(requestedImage), req.blockDevices) : req.blockDevices;
    const volumeBacked = isVolumeBacked(req.imageId, blockDevices);
    const bdmImages = await checkVolumeSources(ctx, blockDevices, { glance: this.d.glance, volume: () => this.volume });
    // The image a server boots from: imageRef, or the image its root volume is made of.
    const root = rootDeviceRequest(blockDevices);
    const rootImage = !req.imageId && root?.source_type === 'image' && root.uuid ? bdmImages.get(root.uuid) : undefined;
    const image = requestedImage ?? rootImage ?? ImageMeta.empty();
    if (req.imageId || rootImage) this.checkImage(image, flavor, volumeBacked, req.allowZeroDiskFlavor, volumeBacked ? root?.volume_size : undefined);
    const keypair = req.keyName ? await this.repos.keypairs.get(userId, req.keyName) : undefined;
    await this.d.quotas.checkMetadata(projectId, Object.keys(req.metadata).length, userId);
    await this.d.quotas.checkInjectedFiles(projectId, userId, req.injectedFiles ?? []);

    const zone = req.availabilityZone ?? this.d.settings.defaultScheduleZone;
    if (zone && !req.forcedHost && !(await this.availableZones()).has(zone)) throw new InvalidAvailabilityZone();
    for (const host of [req.forcedHost, req.requestedHost]) {
      if (host && !(await this.repos.services.get(host, 'nova-compute'))) throw new ComputeHostNotFound(host);
    }
    if (req.requestedNode && !(await this.repos.computeNodes.list()).some((n) => n.hypervisor_hostname === req.requestedNode)) {
      throw new ComputeHostNotFound(req.requestedNode);
    }

    let group: InstanceGroup | null = null;
    const groupHint = req.schedulerHints['group']?.[0];
    if (groupHint) {
      group = await this.repos.groups.get(groupHint);
    }

    const requested = await this.d.network.validateNetworks(ctx, req.requestedNetworks, req.maxCount);
    if (!requested.isNone && requested.objects.some((r) => r.data.network_id)) await this.d.network.validateSecurityGroups(ctx, req.securityGroups);
    const count = await this.d.quotas.checkNumInstances(projectId, userId, flavor, req.minCount, req.maxCount);
    if (group) await this.d.quotas.checkGroupMembers(projectId, userId, group, count);

    const reservationId = newReservationId();
    const now = nowIso();
    const instances: Instance[] = [];
    const specs: RequestSpec[] = [];
    const bdms: BlockDeviceMapping[][] = [];
    const reserved: string[] = [];
    const f = flavor.data;
    try {
      for (let index = 0; index < count; index++) {
        const uuid = randomUUID();
        const names = instanceNames(req.name, req.hostname, uuid, count, index);
        const instance = await this.repos.instances.create({
          uuid, user_id: userId, project_id: projectId, image_ref: req.imageId ?? '', hostname: names.hostname, display_name: names.displayName,
          display_description: req.description, host: null, node: null, launched_on: null, availability_zone: zone, vm_state: VmState.BUILDING,
          task_state: TaskState.SCHEDULING, power_state: PowerState.NOSTATE, memory_mb: f.memory_mb, vcpus: f.vcpus, root_gb: f.root_gb,
          ephemeral_gb: f.ephemeral_gb, instance_type_id: f.id, flavor, key_name: keypair?.name ?? null, key_data: keypair?.public_key ?? null,
          user_data: req.userData, reservation_id: reservationId, launch_index: index, config_drive: req.configDrive ? 'True' : '',
          access_ip_v4: req.accessIPv4, access_ip_v6: req.accessIPv6, locked: false, locked_by: null, root_device_name: null,
          auto_disk_config: req.autoDiskConfig, progress: 0, launched_at: null, terminated_at: null, created_at: now, updated_at: null,
          deleted_at: null, metadata: req.metadata, system_metadata: image.data.id ? systemMetadataFromImage(image, flavor) : {}, tags: req.tags,
          security_groups: req.securityGroups,
        });
        instances.push(instance);
        const spec = new RequestSpec({
          instance_uuid: uuid, project_id: projectId, user_id: userId, flavor, image, num_instances: count, availability_zone: zone,
          scheduler_hints: req.schedulerHints, instance_group: group, ignore_hosts: [], force_hosts: req.forcedHost ? [req.forcedHost] : [],
          force_nodes: req.forcedNode ? [req.forcedNode] : [],
          requested_destination: req.requestedHost || req.requestedNode
            ? { host: req.requestedHost, node: req.requestedNode, aggregates: [], forbidden_aggregates: [] } : null, security_groups: req.securityGroups,
          is_bfv: volumeBacked, requested_networks: requested, num_attempts: 1,
        });
        await this.repos.requestSpecs.save(spec);
        specs.push(spec);
        const devices = blockDeviceMappings(req.imageId, blockDevices, uuid, image);
        await this.reserveVolumes(ctx, devices, uuid, reserved);
        await this.repos.bdms.create(devices);
        bdms.push(devices);
        await this.repos.actions.start(uuid, InstanceAction.CREATE, ctx.requestId, userId, projectId);
      }
      if (group) await this.repos.groups.addMembers(group.data.uuid, instances.map((i) => i.uuid));
      if (this.d.settings.recheckQuota) await this.d.quotas.recheck(projectId, userId, flavor, count);
      if (group && this.d.settings.recheckQuota) await this.d.quotas.checkGroupMembers(projectId, userId, group, 0);
    } catch (err) {
      for (const attachmentId of reserved) await this.d.volume?.attachmentDelete(ctx, attachmentId).catch(() => undefined);
      for (const i of instances) {
        await this.repos.instances.destroy(i.uuid).catch(() => undefined);
        await this.repos.requestSpecs.destroy(i.uuid).catch(() => undefined);
      }
      throw err;
    }
    await this.d.conductor.scheduleAndBuildInstances(ctx, {
      instances, request_specs: specs, image, admin_password: req.adminPassword, injected_files: req.injectedFiles ?? [], requested_networks: requested,
      block_device_mapping: bdms, tags: req.tags,
    });
    return { instances, reservationId };
  }

  /** check_instance_lock: a locked server is left alone unless an admin asks. */
  private checkLocked(instance: Instance, isAdmin: boolean): void {
    if (instance.data.locked && !isAdmin) throw new InstanceIsLocked(instance.uuid);
  }

  /**
   * delete: on a live host, the host deletes it; otherwise (never placed, build failed, host
   * down) it is deleted here. A lock stops it unless an admin asks.
   */
  async delete(ctx: RequestContext, instance: Instance, opts: { isAdmin: boolean }): Promise<void> {
    this.checkLocked(instance, opts.isAdmin);
    await this.deleteAs(ctx, instance, 'delete');
  }

  /**
   * soft_delete (DELETE /servers/{id} while [DEFAULT] reclaim_instance_interval > 0): a server
   * that was ever launched becomes SOFT_DELETING with deleted_at set and its host powers it off
   * (SOFT_DELETED, restorable until the host reclaims it); one on a host that is down is
   * deleted at once, as nova's local delete. @throws InstanceInvalidState for a server never
   * launched (the REST layer then deletes it).
   */
  async softDelete(ctx: RequestContext, instance: Instance, opts: { isAdmin: boolean }): Promise<void> {
    this.checkLocked(instance, opts.isAdmin);
    if (!instance.data.launched_at) throw new InstanceInvalidState(instance.uuid, 'launched_at', 'None', 'soft_delete');
    await this.deleteAs(ctx, instance, 'soft_delete');
  }

  /** force_delete (forceDelete): a delete in any state, a SOFT_DELETED server's included. */
  async forceDelete(ctx: RequestContext, instance: Instance, opts: { isAdmin: boolean }): Promise<void> {
    this.checkLocked(instance, opts.isAdmin);
    await this.deleteAs(ctx, instance, 'force_delete');
  }

  /**
   * restore: a SOFT_DELETED server with no task, counted against the instances/cores/ram quota
   * again (a soft-deleted server is not counted), goes back to ACTIVE: RESTORING and its host
   * powers it on, or at once when it has no host.
   * @throws InstanceInvalidState (409) in another state, TooManyInstances over quota
   */
  async restore(ctx: RequestContext, instance: Instance, opts: { isAdmin: boolean }): Promise<void> {
    this.checkLocked(instance, opts.isAdmin);
    checkInstanceState(instance, 'restore', [VmState.SOFT_DELETED], { noTask: true });
    if (!instance.data.launched_at) throw new InstanceInvalidState(instance.uuid, 'launched_at', 'None', 'restore');
    await this.d.quotas.checkNumInstances(instance.data.project_id, instance.data.user_id, instance.data.flavor, 1, 1);
    await this.repos.actions.start(instance.uuid, InstanceAction.RESTORE, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    const host = instance.data.host;
    if (host) {
      const restoring = await this.repos.instances.save(instance.uuid, { task_state: TaskState.RESTORING, deleted_at: null }, { task_state: [null] });
      await this.d.compute.restoreInstance(ctx, host, restoring);
      return;
    }
    await this.repos.instances.save(instance.uuid, { vm_state: VmState.ACTIVE, task_state: null, deleted_at: null }, { task_state: [null] });
  }

  /**
   * _delete: what a move left is settled first (a resize confirmed, a shelved snapshot
   * deleted); on a live host the task state is set (SOFT_DELETING with deleted_at for a soft
   * delete, DELETING otherwise) and the host is cast to, unless a delete is already under way;
   * without one the server goes here (_local_delete).
   */
  private async deleteAs(ctx: RequestContext, instance: Instance, type: 'delete' | 'soft_delete' | 'force_delete'): Promise<void> {
    await this.d.beforeDelete?.(ctx, instance);
    const originalTask = instance.data.task_state;
    const host = instance.data.host;
    const service = host ? await this.repos.services.get(host, 'nova-compute') : undefined;
    if (host && service && serviceIsUp(service, this.d.settings.serviceDownTime)) {
      const soft = type === 'soft_delete';
      const changes = soft ? { task_state: TaskState.SOFT_DELETING, deleted_at: nowIso(), progress: 0 } : { task_state: TaskState.DELETING, progress: 0 };
      let saved: Instance;
      try {
        saved = await this.repos.instances.save(instance.uuid, changes);
      } catch (err) {
        if (err instanceof InstanceNotFound) return;
        throw err;
      }
      if (originalTask === TaskState.DELETING || originalTask === TaskState.SOFT_DELETING) {
        this.d.log.info({ instance: instance.uuid }, 'Instance is already in deleting state, ignoring this request');
        return;
      }
      await this.repos.actions.start(instance.uuid, InstanceAction.DELETE, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
      await (soft ? this.d.compute.softDeleteInstance(ctx, host, saved) : this.d.compute.terminateInstance(ctx, host, saved, []));
      return;
    }
    await this.repos.actions.start(instance.uuid, InstanceAction.DELETE, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    await this.localDelete(ctx, instance, type !== 'force_delete');
  }

  /** _local_delete: the server's ports, allocation and record, from the API (instance.delete.start/end unless forced, as nova). */
  private async localDelete(ctx: RequestContext, instance: Instance, notify = true): Promise<void> {
    if (notify) await this.d.notifier.instanceAction(ctx, instance, 'delete', 'start');
    await this.d.network.deallocateForInstance(instance).catch((err: unknown) => this.d.log.warn({ err, instance: instance.uuid }, 'port cleanup failed'));
    await this.d.report.deleteAllocationForInstance(instance.uuid).catch((err: unknown) => this.d.log.warn({ err, instance: instance.uuid }, 'allocation cleanup failed'));
    await this.deleteVolumeAttachments(instance);
    // nova saves DELETED before the destroy (instance.update) unless the server was never scheduled (_delete_while_booting)
    const scheduled = instance.data.host !== null || instance.data.vm_state === VmState.SHELVED_OFFLOADED || instance.data.vm_state === VmState.ERROR;
    try {
      await this.repos.instances.destroy(instance.uuid, { asSave: scheduled });
    } catch (err) {
      if (err instanceof InstanceNotFound) return;
      throw err;
    }
    await this.repos.requestSpecs.destroy(instance.uuid);
    const deleted = await this.repos.instances.get(instance.uuid, { readDeleted: true });
    if (notify) await this.d.notifier.instanceAction(ctx, deleted, 'delete', 'end');
  }

  private async hostOf(instance: Instance, method: string): Promise<string> {
    const host = instance.data.host;
    if (!host) throw new InstanceInvalidState(instance.uuid, 'vm_state', instance.data.vm_state, method);
    return host;
  }

  /** os-stop: ACTIVE or ERROR servers with a host. */
  async stop(ctx: RequestContext, instance: Instance, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    if (!([VmState.ACTIVE, VmState.ERROR] as string[]).includes(instance.data.vm_state) || instance.data.task_state !== null) {
      throw new InstanceInvalidState(instance.uuid, instance.data.task_state ? 'task_state' : 'vm_state', instance.data.task_state ?? instance.data.vm_state, 'stop');
    }
    const host = await this.hostOf(instance, 'stop');
    const stopping = await this.repos.instances.save(instance.uuid, { task_state: TaskState.POWERING_OFF, progress: 0 }, { task_state: [null] });
    await this.repos.actions.start(instance.uuid, InstanceAction.STOP, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    await this.d.compute.stopInstance(ctx, host, stopping);
  }

  /** os-start: STOPPED servers. */
  async start(ctx: RequestContext, instance: Instance, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    if (instance.data.vm_state !== VmState.STOPPED || instance.data.task_state !== null) {
      throw new InstanceInvalidState(instance.uuid, instance.data.task_state ? 'task_state' : 'vm_state', instance.data.task_state ?? instance.data.vm_state, 'start');
    }
    const host = await this.hostOf(instance, 'start');
    const starting = await this.repos.instances.save(instance.uuid, { task_state: TaskState.POWERING_ON }, { task_state: [null] });
    await this.repos.actions.start(instance.uuid, InstanceAction.START, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    await this.d.compute.startInstance(ctx, host, starting);
  }

  /** os-getConsoleOutput: asked of the server's host (a call). */
  async getConsoleOutput(ctx: RequestContext, instance: Instance, tailLength: number | null): Promise<string> {
    const host = await this.hostOf(instance, 'get_console_output');
    return this.d.compute.getConsoleOutput(ctx, host, instance, tailLength);
  }

  /** get_diagnostics (free-form, before 2.48) or get_instance_diagnostics, asked of the server's host. @throws InstanceNotReady without a host */
  async getDiagnostics(ctx: RequestContext, instance: Instance, standard: boolean): Promise<Record<string, unknown> | InstanceDiagnostics> {
    const host = instance.data.host;
    if (!host) throw new InstanceNotReady(instance.uuid);
    return standard ? this.d.compute.getInstanceDiagnostics(ctx, host, instance) : this.d.compute.getDiagnostics(ctx, host, instance);
  }

  /**
   * external_instance_event: each event with the code nova answers it with (200 routed to the
   * server's host, 404 no such server, 422 server on no host).
   */
  async externalInstanceEvents(ctx: RequestContext, events: Array<InstanceExternalEvent & { code?: number }>): Promise<Array<InstanceExternalEvent & { code: number }>> {
    const instances = await this.repos.instances.byUuids([...new Set(events.map((e) => e.instance_uuid))]);
    const byUuid = new Map(instances.map((i) => [i.uuid, i]));
    const perHost = new Map<string, { instances: Map<string, Instance>; events: InstanceExternalEvent[] }>();
    const entryFor = (host: string) => perHost.get(host) ?? { instances: new Map<string, Instance>(), events: [] as InstanceExternalEvent[] };
    const answered = events.map((e) => {
      const instance = byUuid.get(e.instance_uuid);
      if (!instance) return { ...e, code: 404, status: 'failed' as const };
      if (!instance.data.host) return { ...e, code: 422, status: 'failed' as const };
      const entry = entryFor(instance.data.host);
      entry.instances.set(instance.uuid, instance);
      entry.events.push(e);
      perHost.set(instance.data.host, entry);
      return { ...e, code: 200 };
    });
    for (const [host, entry] of perHost) await this.d.compute.externalInstanceEvent(ctx, host, [...entry.instances.values()], entry.events);
    return answered;
  }

  // --- server metadata (update_instance_metadata / delete_instance_metadata) -------------------

  /**
   * Merge `metadata` into the server's (or, with `replace`, make it the server's metadata),
   * within the metadata_items quota; the resulting metadata comes back.
   * @throws InstanceIsLocked, InstanceInvalidState, OverQuota
   */
  async updateInstanceMetadata(ctx: RequestContext, instance: Instance, metadata: Record<string, string>, opts: { replace: boolean; isAdmin: boolean }): Promise<Record<string, string>> {
    this.checkLocked(instance, opts.isAdmin);
    checkInstanceState(instance, 'update_instance_metadata', SETTLED_VM_STATES, { noTask: true });
    const merged = opts.replace ? { ...metadata } : { ...(await this.repos.metadata.get(instance.uuid)), ...metadata };
    await this.d.quotas.checkMetadata(instance.data.project_id, Object.keys(merged).length);
    await this.repos.metadata.replace(instance.uuid, merged);
    await this.repos.instances.savedBeside(new Instance({ ...instance.data, metadata: merged }));
    return merged;
  }

  /** @throws InstanceIsLocked, InstanceInvalidState */
  async deleteInstanceMetadata(ctx: RequestContext, instance: Instance, key: string, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    checkInstanceState(instance, 'delete_instance_metadata', SETTLED_VM_STATES, { noTask: true });
    await this.repos.metadata.deleteKey(instance.uuid, key);
    const { [key]: _deleted, ...metadata } = instance.data.metadata;
    await this.repos.instances.savedBeside(new Instance({ ...instance.data, metadata }));
  }

  // --- interface attachments (attach_interface / detach_interface) -----------------------------

  /** The network API, for the REST layer's port listings (nova's controllers call it directly). */
  get network(): NeutronAPI {
    return this.d.network;
  }

  /** Plug a port into the server on its host (a call): the new VIF. @throws InstanceIsLocked, InstanceInvalidState */
  async attachInterface(ctx: RequestContext, instance: Instance, req: { network_id: string | null; port_id: string | null; requested_ip: string | null; tag: string | null }, isAdmin: boolean): Promise<VifInfo> {
    this.checkLocked(instance, isAdmin);
    checkInstanceState(instance, 'attach_interface', INTERFACE_VM_STATES, { noTask: true });
    const host = await this.hostOf(instance, 'attach_interface');
    await this.repos.actions.start(instance.uuid, InstanceAction.ATTACH_INTERFACE, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    return this.d.compute.attachInterface(ctx, host, instance, req);
  }

  /** Unplug one of the server's ports on its host (a cast). @throws InstanceIsLocked, InstanceInvalidState, PortNotFound */
  async detachInterface(ctx: RequestContext, instance: Instance, portId: string, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    checkInstanceState(instance, 'detach_interface', INTERFACE_VM_STATES, { noTask: true });
    if (!instance.data.network_info.some((v) => v.id === portId)) throw new PortNotFound(portId);
    const host = await this.hostOf(instance, 'detach_interface');
    await this.repos.actions.start(instance.uuid, InstanceAction.DETACH_INTERFACE, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    await this.d.compute.detachInterface(ctx, host, instance, portId);
  }

  // --- volume attachments (attach_volume / detach_volume) -------------------------------------

  /**
   * _validate_bdm for existing volumes: each is reserved for the new server in Cinder (an
   * attachment without connector; the host connects it at build), its size recorded.
   * @throws VolumeNotFound, InvalidVolume (Cinder refused), CinderServiceUnavailable
   */
  private async reserveVolumes(ctx: RequestContext, devices: BlockDeviceMapping[], instanceUuid: string, reserved: string[]): Promise<void> {
    for (const bdm of devices) {
      const volumeId = bdm.data.volume_id;
      if (bdm.data.source_type !== 'volume' || !volumeId) continue;
      const volume = await this.volume.get(ctx, volumeId);
      let attachment;
      try {
        attachment = await this.volume.attachmentCreate(ctx, volume.id, instanceUuid);
      } catch (err) {
        if (err instanceof InvalidInput) throw new InvalidVolume(err.message);
        throw err;
      }
      reserved.push(attachment.id);
      bdm.data.attachment_id = attachment.id;
      bdm.data.volume_size = volume.size;
    }
  }

  /** _local_cleanup_bdm_volumes (attachment part): a server deleted from the API lets go of its volumes. */
  private async deleteVolumeAttachments(instance: Instance): Promise<void> {
    if (!this.d.volume) return;
    await this.d.volume.releaseVolumes(await this.repos.bdms.byInstance(instance.uuid), (err, volume, what) => this.d.log.warn({ err, instance: instance.uuid, volume }, what));
  }

  /** The volume API. @throws CinderServiceUnavailable when there is none */
  get volume(): CinderAPI {
    if (!this.d.volume) throw new CinderServiceUnavailable('no volume API is configured');
    return this.d.volume;
  }

  /**
   * Attach a volume: its mapping is recorded with the next free device (or the one asked for),
   * the volume is reserved for the server in Cinder (an attachment without connector) and the
   * host is told to attach it (a cast). The device name comes back.
   * @throws InstanceIsLocked, InstanceInvalidState, VolumeNotFound, InvalidVolume, InvalidDevicePath, DevicePathInUse
   */
  async attachVolume(ctx: RequestContext, instance: Instance, req: { volumeId: string; device: string | null; tag: string | null; deleteOnTermination: boolean; supportsMultiattach: boolean }, isAdmin: boolean): Promise<string | null> {
    this.checkLocked(instance, isAdmin);
    checkInstanceState(instance, 'attach_volume', VOLUME_VM_STATES);
    const volume = await this.volume.get(ctx, req.volumeId);
    const bdms = await this.repos.bdms.byInstance(instance.uuid);
    if (bdms.some((b) => b.data.volume_id === volume.id)) throw new InvalidVolume(`volume ${volume.id} already attached`);
    if (volume.multiattach && !req.supportsMultiattach) throw new MultiattachNotSupportedOldMicroversion();
    if (instance.data.vm_state === VmState.SHELVED_OFFLOADED) return this.attachVolumeShelvedOffloaded(ctx, instance, volume, req);
    const host = await this.hostOf(instance, 'attach_volume');
    const device = nextDeviceName(instance, bdms, req.device);
    await this.reserveAndConnect(ctx, instance, volume, { device, tag: req.tag, deleteOnTermination: req.deleteOnTermination },
      (bdm) => this.d.compute.attachVolume(ctx, host, instance, bdm));
    return device;
  }

  /**
   * The volume's mapping recorded, the volume reserved for the server in Cinder (an attachment
   * without connector) and the attach recorded, then `connect` (the host's attach, or the
   * completion of a shelved-offloaded server's attachment); all undone when a step fails.
   */
  private async reserveAndConnect(
    ctx: RequestContext, instance: Instance, volume: Volume, m: { device: string | null; tag: string | null; deleteOnTermination: boolean },
    connect: (bdm: BlockDeviceMapping) => Promise<void>,
  ): Promise<void> {
    const bdm = new BlockDeviceMapping({
      uuid: randomUUID(), instance_uuid: instance.uuid, source_type: 'volume', destination_type: 'volume', guest_format: null, device_type: 'disk',
      disk_bus: null, boot_index: null, device_name: m.device, delete_on_termination: m.deleteOnTermination, snapshot_id: null, volume_id: volume.id,
      volume_size: volume.size, volume_type: volume.volume_type, image_id: null, no_device: false, connection_info: null, tag: m.tag, attachment_id: null,
    });
    await this.repos.bdms.create([bdm]);
    try {
      const attachment = await this.volume.attachmentCreate(ctx, volume.id, instance.uuid);
      await this.repos.bdms.update(bdm.data.uuid, { attachment_id: attachment.id });
      bdm.data.attachment_id = attachment.id;
      await this.repos.actions.start(instance.uuid, InstanceAction.ATTACH_VOLUME, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
      await connect(bdm);
    } catch (err) {
      if (bdm.data.attachment_id) await this.volume.attachmentDelete(ctx, bdm.data.attachment_id).catch(() => undefined);
      await this.repos.bdms.destroy(bdm.data.uuid);
      throw err;
    }
  }

  /**
   * _attach_volume_shelved_offloaded: no host has the server, so the mapping is recorded (with
   * the device asked for, or none: the unshelve names it) and the volume's attachment completed
   * without a connector, making it in-use as the API promises; the host that unshelves the
   * server connects it. Tags and multiattach volumes are refused, as Nova does.
   */
  private async attachVolumeShelvedOffloaded(ctx: RequestContext, instance: Instance, volume: Volume, req: { device: string | null; tag: string | null; deleteOnTermination: boolean }): Promise<string | null> {
    if (req.tag) throw new VolumeTaggedAttachToShelvedNotSupported();
    if (volume.multiattach) throw new MultiattachToShelvedNotSupported();
    await this.reserveAndConnect(ctx, instance, volume, { device: req.device, tag: null, deleteOnTermination: req.deleteOnTermination },
      (bdm) => this.volume.attachmentComplete(ctx, bdm.data.attachment_id!));
    return req.device;
  }

  /**
   * Detach a (non-root) volume on the server's host (a cast); Cinder has it detaching meanwhile
   * (begin_detaching, which refuses a volume not in-use: a detach already under way). A
   * shelved-offloaded server has no host: its mapping and attachment go at once (and the volume
   * with delete_on_termination), as Nova's _detach_volume_shelved_offloaded.
   * @throws InstanceIsLocked, InstanceInvalidState, InvalidInput
   */
  async detachVolume(ctx: RequestContext, instance: Instance, volumeId: string, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    checkInstanceState(instance, 'detach_volume', VOLUME_VM_STATES);
    if (instance.data.vm_state === VmState.SHELVED_OFFLOADED) {
      const bdm = await this.repos.bdms.byVolumeAndInstance(volumeId, instance.uuid);
      if (!bdm.data.attachment_id) await this.volume.beginDetaching(ctx, volumeId);
      await this.repos.actions.start(instance.uuid, InstanceAction.DETACH_VOLUME, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
      await this.volume.releaseVolumes([bdm], (err, volume, what) => this.d.log.warn({ err, instance: instance.uuid, volume }, what));
      await this.repos.bdms.destroy(bdm.data.uuid);
      return;
    }
    const host = await this.hostOf(instance, 'detach_volume');
    await this.repos.actions.start(instance.uuid, InstanceAction.DETACH_VOLUME, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    await this.volume.beginDetaching(ctx, volumeId);
    await this.d.compute.detachVolume(ctx, host, instance, volumeId);
  }

  /**
   * swap_volume (admin): the new volume is reserved for the server and the host moves the disk
   * over to it (a cast). Both volumes come from the caller.
   * @throws InstanceIsLocked, InstanceInvalidState, InvalidVolume, VolumeBDMNotFound, MultiattachSwapVolumeNotSupported
   */
  async swapVolume(ctx: RequestContext, instance: Instance, oldVolume: Volume, newVolume: Volume, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    checkInstanceState(instance, 'swap_volume', SWAP_VM_STATES);
    if (!oldVolume.attachments.some((a) => a.server_id === instance.uuid)) throw new InvalidVolume('Old volume is attached to a different instance.');
    if (newVolume['attach_status'] === 'attached' || newVolume.attachments.length > 0) throw new InvalidVolume('New volume must be detached in order to swap.');
    if (newVolume.size < oldVolume.size) throw new InvalidVolume('New volume must be the same size or larger.');
    if (oldVolume.attachments.length > 1) throw new MultiattachSwapVolumeNotSupported();
    await this.repos.bdms.byVolumeAndInstance(oldVolume.id, instance.uuid);
    if ((await this.repos.bdms.byInstance(instance.uuid)).some((b) => b.data.volume_id === newVolume.id)) throw new InvalidVolume(`volume ${newVolume.id} already attached`);
    const host = await this.hostOf(instance, 'swap_volume');
    const attachment = await this.volume.attachmentCreate(ctx, newVolume.id, instance.uuid);
    await this.repos.actions.start(instance.uuid, 'swap_volume', ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
    await this.d.compute.swapVolume(ctx, host, instance, { old_volume_id: oldVolume.id, new_volume_id: newVolume.id, new_attachment_id: attachment.id });
  }
}
