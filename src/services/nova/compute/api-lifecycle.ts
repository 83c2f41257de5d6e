/**
 * The server actions of the compute API that act on a server in place (nova/compute/api.py's
 * reboot, pause/unpause, suspend/resume, rescue/unrescue, set_admin_password,
 * trigger_crash_dump, lock/unlock, snapshot/backup, rebuild, get_*_console; admin_actions.py's
 * reset state): each checks the lock (check_instance_lock) and the vm/task states it is allowed
 * in (check_instance_state), sets the task state with a compare-and-swap on the expected one,
 * records the instance action and casts (or calls) the server's host.
 */
import type { ImageCreate } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import { nowIso } from '../../../common/db/index.js';
import type { Logger } from '../../../common/log/logger.js';
import { replaceSystemMetadataPrefix, updateInstanceMetadata } from '../db/instance-system-metadata.js';
import type { NovaRepos } from '../db/repos.js';
import {
  CinderServiceUnavailable, InstanceInvalidState, InstanceIsLocked, InstanceNotFound, InstanceNotReady, InstanceNotRescuable, InvalidRequest, UnexpectedDeletingTaskStateError,
  UnsupportedRescueImage, ImageNotFound, ImageUnacceptable,
} from '../errors.js';
import type { GlanceAPI } from '../image/glance.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import type { BlockDeviceMapping, Flavor, ImageMeta, Instance } from '../objects/index.js';
import type { CinderAPI } from '../volume/cinder.js';
import { InstanceAction } from './instance-actions.js';
import { systemMetadataFromImage } from './instance-naming.js';
import type { ComputeAPI as ComputeRpcAPI, ConsoleMethod, LifecycleCast } from './rpcapi.js';
import { TaskState } from './task-states.js';
import { snapshotVolumeBacked } from './volume-backed-images.js';
import { ALLOW_HARD_REBOOT, ALLOW_SOFT_REBOOT, VmState } from './vm-states.js';

/** The rpcapi methods this module uses. */
export type LifecycleRpc = Pick<ComputeRpcAPI,
  'rebootInstance' | 'castInstance' | 'rescueInstance' | 'setAdminPassword' | 'snapshotInstance' | 'backupInstance' | 'rebuildInstance' | 'getConsole'>;

export interface LifecycleApiDeps {
  repos: NovaRepos;
  glance: GlanceAPI;
  compute: LifecycleRpc;
  notifier: NovaNotifier;
  log: Logger;
  /** ComputeApi's flavor/image checks of a create (_validate_flavor_image_nostatus and the image's status). */
  checkImage(image: ImageMeta, flavor: Flavor, volumeBacked: boolean, allowZeroDisk: boolean): void;
  /** The metadata_items quota (_check_metadata_properties_quota). */
  checkMetadata(projectId: string, count: number): Promise<void>;
  /** Cinder (snapshots of volume-backed servers); none: CinderServiceUnavailable. */
  volume?: CinderAPI;
}

/** task_states.ALLOW_REBOOT: the task states a hard reboot may interrupt. */
const ALLOW_REBOOT: ReadonlyArray<string | null> = [
  null, TaskState.REBOOTING, TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED, TaskState.RESUMING, TaskState.REBOOTING_HARD,
  TaskState.UNPAUSING, TaskState.PAUSING, TaskState.SUSPENDING,
];
/** vm_states.ALLOW_TRIGGER_CRASH_DUMP. */
const ALLOW_TRIGGER_CRASH_DUMP: readonly string[] = [VmState.ACTIVE, VmState.PAUSED, VmState.RESCUED, VmState.RESIZED, VmState.ERROR];
const SNAPSHOT_STATES: readonly string[] = [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED];

/** One of the simple casts: the states it is allowed from, the task state it sets, the action it records. */
interface SimpleAction {
  method: string;
  vmStates: readonly string[];
  taskState: string;
  action: string;
  rpc: LifecycleCast;
}

const SIMPLE: Readonly<Record<'pause' | 'unpause' | 'suspend' | 'resume' | 'unrescue', SimpleAction>> = {
  pause: { method: 'pause', vmStates: [VmState.ACTIVE], taskState: TaskState.PAUSING, action: InstanceAction.PAUSE, rpc: 'pause_instance' },
  unpause: { method: 'unpause', vmStates: [VmState.PAUSED], taskState: TaskState.UNPAUSING, action: InstanceAction.UNPAUSE, rpc: 'unpause_instance' },
  suspend: { method: 'suspend', vmStates: [VmState.ACTIVE], taskState: TaskState.SUSPENDING, action: InstanceAction.SUSPEND, rpc: 'suspend_instance' },
  resume: { method: 'resume', vmStates: [VmState.SUSPENDED], taskState: TaskState.RESUMING, action: InstanceAction.RESUME, rpc: 'resume_instance' },
  unrescue: { method: 'unrescue', vmStates: [VmState.RESCUED], taskState: TaskState.UNRESCUING, action: InstanceAction.UNRESCUE, rpc: 'unrescue_instance' },
};

/** Properties a snapshot never inherits (compute/utils.py NON_INHERITABLE_IMAGE_PROPERTIES and namespaces). */
const NON_INHERITABLE = new Set([
  'cinder_encryption_key_id', 'cinder_encryption_key_deletion_policy', 'img_signature', 'img_signature_hash_method', 'img_signature_key_type',
  'img_signature_certificate_uuid',
]);
const SM_INHERITABLE = new Set(['min_ram', 'min_disk', 'disk_format', 'container_format']);
const SM_SKIP = new Set(['mappings', 'block_device_mapping', 'img_mappings', 'img_block_device_mapping']);

export interface RebuildRequest {
  imageRef: string;
  adminPassword: string | null;
  name?: string;
  description?: string | null;
  metadata?: Record<string, string>;
  preserveEphemeral: boolean;
  autoDiskConfig?: boolean;
  accessIPv4?: string;
  accessIPv6?: string;
  /** 2.54: a key pair name, or null to remove it; undefined: unchanged. */
  keyName?: string | null;
  /** 2.57: new user data, or null to remove it; undefined: unchanged. */
  userData?: string | null;
  /** 2.90. */
  hostname?: string;
  /** 2.63: given (or null) only when the caller sent it. */
  trustedCerts?: string[] | null;
}

export type ConsoleProtocol = 'vnc' | 'spice' | 'serial' | 'rdp' | 'mks';
const CONSOLE_METHODS: Readonly<Record<ConsoleProtocol, ConsoleMethod>> = {
  vnc: 'get_vnc_console', spice: 'get_spice_console', serial: 'get_serial_console', rdp: 'get_rdp_console', mks: 'get_mks_console',
};

export class ServerLifecycleApi {
  constructor(private readonly d: LifecycleApiDeps) {}

  private get repos(): NovaRepos {
    return this.d.repos;
  }

  /** check_instance_lock. */
  private checkLocked(instance: Instance, isAdmin: boolean): void {
    if (instance.data.locked && !isAdmin) throw new InstanceIsLocked(instance.uuid);
  }

  /** check_instance_state: the vm state must be one of `vmStates` (null: any) and the task state one of `taskStates` (null: any). */
  private checkState(instance: Instance, method: string, vmStates: readonly string[] | null, taskStates: ReadonlyArray<string | null> | null = [null]): void {
    const i = instance.data;
    if (vmStates && !vmStates.includes(i.vm_state)) throw new InstanceInvalidState(instance.uuid, 'vm_state', i.vm_state, method);
    if (taskStates && !taskStates.includes(i.task_state)) throw new InstanceInvalidState(instance.uuid, 'task_state', i.task_state, method);
  }

  /** check_instance_host: the server must be on a host. */
  /** The volume API. @throws CinderServiceUnavailable when there is none */
  private get volume(): CinderAPI {
    if (!this.d.volume) throw new CinderServiceUnavailable('no volume API is configured');
    return this.d.volume;
  }

  private hostOf(instance: Instance): string {
    if (!instance.data.host) throw new InstanceNotReady(instance.uuid);
    return instance.data.host;
  }

  /** instance.task_state = X; instance.save(expected_task_state=...), and the action recorded. */
  private async begin(ctx: RequestContext, instance: Instance, taskState: string, expected: ReadonlyArray<string | null>, action: string): Promise<Instance> {
    const saved = await this.repos.instances.save(instance.uuid, { task_state: taskState }, { task_state: expected });
    await this.record(ctx, instance, action);
    return saved;
  }

  private async record(ctx: RequestContext, instance: Instance, action: string): Promise<number> {
    return this.repos.actions.start(instance.uuid, action, ctx.requestId, ctx.userId ?? null, ctx.projectId ?? null);
  }

  /** reboot: SOFT from ACTIVE with no task; HARD from ALLOW_HARD_REBOOT states, also interrupting a soft reboot or a pause/suspend in progress. */
  async reboot(ctx: RequestContext, instance: Instance, rebootType: 'SOFT' | 'HARD', isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    if (rebootType === 'SOFT') {
      this.checkState(instance, 'reboot', ALLOW_SOFT_REBOOT, [null]);
    } else {
      this.checkState(instance, 'reboot', ALLOW_HARD_REBOOT, ALLOW_REBOOT);
    }
    const host = this.hostOf(instance);
    const taskState = rebootType === 'SOFT' ? TaskState.REBOOTING : TaskState.REBOOTING_HARD;
    const saved = await this.begin(ctx, instance, taskState, rebootType === 'SOFT' ? [null] : ALLOW_REBOOT, InstanceAction.REBOOT);
    await this.d.compute.rebootInstance(ctx, host, saved, rebootType);
  }

  /** pause, unpause, suspend, resume, unrescue. */
  async simple(ctx: RequestContext, instance: Instance, name: keyof typeof SIMPLE, isAdmin: boolean): Promise<void> {
    const a = SIMPLE[name];
    this.checkLocked(instance, isAdmin);
    this.checkState(instance, a.method, a.vmStates);
    const host = this.hostOf(instance);
    const saved = await this.begin(ctx, instance, a.taskState, [null], a.action);
    await this.d.compute.castInstance(ctx, host, a.rpc, saved);
  }

  /** rescue: ACTIVE, STOPPED or ERROR; with another image if asked (it must exist); volume-backed servers only from 2.87 on a host that can. */
  async rescue(ctx: RequestContext, instance: Instance, opts: { password: string; rescueImageRef: string | null; allowBfvRescue: boolean; isAdmin: boolean }): Promise<void> {
    this.checkLocked(instance, opts.isAdmin);
    this.checkState(instance, 'rescue', [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR]);
    let image: ImageMeta | null = null;
    if (opts.rescueImageRef) {
      try {
        image = await this.d.glance.get(ctx, opts.rescueImageRef);
      } catch (err) {
        if (err instanceof ImageNotFound) throw new UnsupportedRescueImage(opts.rescueImageRef);
        throw err;
      }
      if (image.data.properties['img_block_device_mapping']) throw new UnsupportedRescueImage(opts.rescueImageRef);
    }
    if (await this.isVolumeBacked(instance)) {
      const props = image?.data.properties ?? {};
      const bfvAllowed = opts.allowBfvRescue && 'hw_rescue_bus' in props && 'hw_rescue_device' in props;
      // Nubo has no volume-backed servers yet (no Block Storage); a host able to rescue one is never asked.
      throw new InstanceNotRescuable(instance.uuid, bfvAllowed ? 'Host unable to rescue a volume-backed instance' : 'Cannot rescue a volume-backed instance');
    }
    const host = this.hostOf(instance);
    const saved = await this.begin(ctx, instance, TaskState.RESCUING, [null], InstanceAction.RESCUE);
    await this.d.compute.rescueInstance(ctx, host, saved, opts.password, opts.rescueImageRef);
  }

  /** set_admin_password: ACTIVE; a call, so the host's refusal reaches the caller. */
  async setAdminPassword(ctx: RequestContext, instance: Instance, password: string, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    this.checkState(instance, 'set_admin_password', [VmState.ACTIVE]);
    const host = this.hostOf(instance);
    const saved = await this.begin(ctx, instance, TaskState.UPDATING_PASSWORD, [null], InstanceAction.CHANGE_PASSWORD);
    await this.d.compute.setAdminPassword(ctx, host, saved, password);
  }

  /** trigger_crash_dump (2.17): the states of ALLOW_TRIGGER_CRASH_DUMP, no task state change. */
  async triggerCrashDump(ctx: RequestContext, instance: Instance, isAdmin: boolean): Promise<void> {
    this.checkLocked(instance, isAdmin);
    const host = this.hostOf(instance);
    this.checkState(instance, 'trigger_crash_dump', ALLOW_TRIGGER_CRASH_DUMP);
    await this.record(ctx, instance, InstanceAction.TRIGGER_CRASH_DUMP);
    await this.d.compute.castInstance(ctx, host, 'trigger_crash_dump', instance);
  }

  /** lock: by its owner ('owner') or another project's admin ('admin'); an owner's lock of a locked server changes nothing. */
  async lock(ctx: RequestContext, instance: Instance, reason: string | null): Promise<void> {
    const isOwner = instance.data.project_id === ctx.projectId;
    if (instance.data.locked && isOwner) return;
    const actionId = await this.record(ctx, instance, InstanceAction.LOCK);
    const eventId = await this.repos.actions.eventStart(actionId, 'api_lock', null);
    const locked = await this.repos.instances.save(instance.uuid, { locked: true, locked_by: isOwner ? 'owner' : 'admin' });
    if (reason) await updateInstanceMetadata(this.repos.db, 'instance_system_metadata', instance.uuid, { locked_reason: reason });
    await this.repos.actions.eventFinish(eventId, actionId);
    await this.d.notifier.instanceActionEvent(ctx, reason ? await this.repos.instances.get(instance.uuid) : locked, 'lock', null);
  }

  /** is_expected_locked_by: whether the caller is of the kind (owner or admin) that locked the server. */
  isExpectedLockedBy(ctx: RequestContext, instance: Instance): boolean {
    const expected = instance.data.project_id === ctx.projectId ? 'owner' : 'admin';
    return !instance.data.locked_by || instance.data.locked_by === expected;
  }

  async unlock(ctx: RequestContext, instance: Instance): Promise<void> {
    const actionId = await this.record(ctx, instance, InstanceAction.UNLOCK);
    const eventId = await this.repos.actions.eventStart(actionId, 'api_unlock', null);
    await this.repos.instances.save(instance.uuid, { locked: false, locked_by: null });
    await updateInstanceMetadata(this.repos.db, 'instance_system_metadata', instance.uuid, {}, ['locked_reason']);
    await this.repos.actions.eventFinish(eventId, actionId);
    await this.d.notifier.instanceActionEvent(ctx, await this.repos.instances.get(instance.uuid), 'unlock', null);
  }

  /** os-resetState: the vm state set, the task state cleared, whatever they were. */
  async resetState(ctx: RequestContext, instance: Instance, state: 'active' | 'error'): Promise<Instance> {
    const actionId = await this.record(ctx, instance, InstanceAction.RESET_STATE);
    const saved = await this.repos.instances.save(instance.uuid, { vm_state: state === 'active' ? VmState.ACTIVE : VmState.ERROR, task_state: null });
    await this.repos.db.updateTable('instance_actions').set({ finish_time: nowIso() }).where('id', '=', actionId).execute();
    return saved;
  }

  /**
   * initialize_instance_snapshot_metadata + create_image: the image record a snapshot or backup
   * fills, with the instance's image properties (from its system metadata), private to its
   * project (shared when another project's admin asks), and the caller's extra properties.
   */
  private async createImage(ctx: RequestContext, instance: Instance, name: string, imageType: 'snapshot' | 'backup', extra: Record<string, string>): Promise<ImageMeta> {
    return this.d.glance.create(ctx, this.imageFields(ctx, instance, name, imageType, extra));
  }

  /** initialize_instance_snapshot_metadata: the fields of a snapshot's or backup's image record. */
  private imageFields(ctx: RequestContext, instance: Instance, name: string, imageType: 'snapshot' | 'backup', extra: Record<string, string>): ImageCreate {
    const fields: ImageCreate = { name };
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries(instance.data.system_metadata)) {
      if (!key.startsWith('image_')) continue;
      const k = key.slice('image_'.length);
      if (SM_SKIP.has(k)) continue;
      if (SM_INHERITABLE.has(k)) {
        if (k === 'min_ram' || k === 'min_disk') fields[k] = Number(value) || 0;
        else fields[k] = value;
      } else {
        properties[k] = value;
      }
    }
    const own: Record<string, string> = { instance_uuid: instance.uuid, user_id: String(ctx.userId ?? ''), image_type: imageType, ...extra };
    if (ctx.projectId !== instance.data.project_id) {
      fields.visibility = 'shared';
      own['instance_owner'] = instance.data.project_id;
    } else {
      fields.visibility = 'private';
    }
    for (const key of Object.keys(properties)) if (NON_INHERITABLE.has(key) || key.startsWith('os_glance')) delete properties[key];
    Object.assign(fields, properties, own);
    if (imageType === 'snapshot') {
      delete fields.disk_format;
      delete fields.container_format;
    }
    return fields;
  }

  /**
   * is_volume_backed_instance: no image, or a root mapping that is a volume (a server booted from
   * a volume-backed server's image has both). `bdms`: the server's mappings, when already read.
   */
  async isVolumeBacked(instance: Instance, bdms?: readonly BlockDeviceMapping[]): Promise<boolean> {
    if (!instance.data.image_ref) return true;
    const root = (bdms ?? await this.repos.bdms.byInstance(instance.uuid)).find((b) => b.isRoot);
    return root?.isVolume ?? false;
  }

  /**
   * snapshot (createImage): ACTIVE, STOPPED, PAUSED or SUSPENDED (a lock does not prevent it);
   * the image record is made here, the host uploads the disk (IMAGE_SNAPSHOT_PENDING first).
   */
  async snapshot(ctx: RequestContext, instance: Instance, name: string, extra: Record<string, string>): Promise<ImageMeta> {
    this.checkState(instance, 'snapshot', SNAPSHOT_STATES);
    const bdms = await this.repos.bdms.byInstance(instance.uuid);
    if (await this.isVolumeBacked(instance, bdms)) {
      // snapshot_volume_backed: Cinder snapshots of the volumes and an image that maps them
      const fields = this.imageFields(ctx, instance, name, 'snapshot', extra);
      await this.record(ctx, instance, InstanceAction.CREATE_IMAGE);
      return snapshotVolumeBacked(ctx, instance, bdms, fields, { glance: this.d.glance, volume: () => this.volume });
    }
    const host = this.hostOf(instance);
    const image = await this.createImage(ctx, instance, name, 'snapshot', extra);
    let saved: Instance;
    try {
      saved = await this.repos.instances.save(instance.uuid, { task_state: TaskState.IMAGE_SNAPSHOT_PENDING }, { task_state: [null] });
    } catch (err) {
      await this.d.glance.delete(ctx, image.data.id).catch((e: unknown) => this.d.log.warn({ err: e, image: image.data.id }, 'Error while trying to clean up image'));
      if (err instanceof InstanceNotFound) throw new InstanceInvalidState(instance.uuid, 'vm_state', VmState.DELETED, 'snapshot');
      if (err instanceof UnexpectedDeletingTaskStateError) throw new InstanceInvalidState(instance.uuid, 'task_state', TaskState.DELETING, 'snapshot');
      throw err;
    }
    await this.record(ctx, instance, InstanceAction.CREATE_IMAGE);
    await this.d.compute.snapshotInstance(ctx, host, saved, image.data.id);
    return image;
  }

  /** backup (createBackup): as a snapshot, typed 'backup' with its backup_type, and older backups beyond `rotation` deleted by the host. */
  async backup(ctx: RequestContext, instance: Instance, name: string, backupType: string, rotation: number, extra: Record<string, string>): Promise<ImageMeta> {
    this.checkState(instance, 'backup', SNAPSHOT_STATES);
    if (await this.isVolumeBacked(instance)) throw new InvalidRequest('Backup is not supported for volume-backed instances.');
    const host = this.hostOf(instance);
    const image = await this.createImage(ctx, instance, name, 'backup', { ...extra, backup_type: backupType });
    let saved: Instance;
    try {
      saved = await this.repos.instances.save(instance.uuid, { task_state: TaskState.IMAGE_BACKUP }, { task_state: [null] });
    } catch (err) {
      await this.d.glance.delete(ctx, image.data.id).catch(() => undefined);
      throw err;
    }
    await this.record(ctx, instance, InstanceAction.BACKUP);
    await this.d.compute.backupInstance(ctx, host, saved, image.data.id, backupType, rotation);
    return image;
  }

  /**
   * rebuild: ACTIVE, STOPPED or ERROR, not locked; the new image must be active and fit the
   * flavor; name, description, metadata, key pair (2.54), user data (2.57), hostname (2.90)
   * change at once; the image properties in system metadata are replaced; REBUILDING, and the
   * host rebuilds the guest.
   */
  async rebuild(ctx: RequestContext, instance: Instance, req: RebuildRequest, isAdmin: boolean): Promise<Instance> {
    this.checkLocked(instance, isAdmin);
    this.checkState(instance, 'rebuild', [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR]);
    const host = this.hostOf(instance);
    const changes: Parameters<NovaRepos['instances']['save']>[1] = { task_state: TaskState.REBUILDING, progress: 0 };
    if (req.keyName !== undefined) {
      if (req.keyName) {
        const kp = await this.repos.keypairs.get(ctx.userId ?? '', req.keyName);
        changes.key_name = kp.name;
        changes.key_data = kp.public_key;
      } else {
        changes.key_name = null;
        changes.key_data = null;
      }
    }
    const image = await this.d.glance.get(ctx, req.imageRef);
    const volumeBacked = await this.isVolumeBacked(instance);
    if (volumeBacked) throw new ImageUnacceptable(req.imageRef, 'Unable to rebuild with a different image for a volume-backed server.');
    this.d.checkImage(image, instance.data.flavor, false, true);
    if (req.metadata) await this.d.checkMetadata(instance.data.project_id, Object.keys(req.metadata).length);
    if (req.name !== undefined) changes.display_name = req.name;
    if (req.description !== undefined) changes.display_description = req.description;
    if (req.autoDiskConfig !== undefined) changes.auto_disk_config = req.autoDiskConfig;
    if (req.accessIPv4 !== undefined) changes.access_ip_v4 = req.accessIPv4;
    if (req.accessIPv6 !== undefined) changes.access_ip_v6 = req.accessIPv6;
    if (req.userData !== undefined) changes.user_data = req.userData;
    if (req.hostname !== undefined) changes.hostname = req.hostname;
    const origImageRef = instance.data.image_ref;
    changes.image_ref = req.imageRef;
    let saved = await this.repos.instances.save(instance.uuid, changes, { task_state: [null] });
    if (req.metadata) {
      await updateInstanceMetadata(this.repos.db, 'instance_metadata', instance.uuid, req.metadata, Object.keys(instance.data.metadata));
    }
    await replaceSystemMetadataPrefix(this.repos.db, instance.uuid, 'image_', systemMetadataFromImage(image, instance.data.flavor));
    saved = await this.repos.instances.get(instance.uuid);
    await this.record(ctx, instance, InstanceAction.REBUILD);
    await this.d.compute.rebuildInstance(ctx, host, {
      instance: saved, new_pass: req.adminPassword, image_ref: req.imageRef, orig_image_ref: origImageRef, preserve_ephemeral: req.preserveEphemeral,
    });
    return saved;
  }

  /** The metadata_items quota on a snapshot's properties (before 2.39). @throws OverQuota */
  checkImageMetadataQuota(projectId: string, count: number): Promise<void> {
    return this.d.checkMetadata(projectId, count);
  }

  /** The image's URL at Glance (a createImage's Location header before 2.45). */
  imageUrl(imageId: string): Promise<string> {
    return this.d.glance.imageUrl(imageId);
  }

  /** get_<protocol>_console: a server on a host, not being deleted or migrated; the host answers with the URL. */
  async getConsole(ctx: RequestContext, instance: Instance, protocol: ConsoleProtocol, consoleType: string): Promise<{ url: string }> {
    const host = this.hostOf(instance);
    this.checkState(instance, `get_${protocol}_console`, null, null);
    if (instance.data.task_state === TaskState.DELETING || instance.data.task_state === TaskState.MIGRATING) {
      throw new InstanceInvalidState(instance.uuid, 'task_state', instance.data.task_state, `get_${protocol}_console`);
    }
    const info = await this.d.compute.getConsole(ctx, host, CONSOLE_METHODS[protocol], instance, consoleType);
    return { url: info.access_url };
  }
}
