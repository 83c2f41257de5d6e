/**
 * The compute manager's in-place server actions (nova/compute/manager.py reboot_instance,
 * pause/unpause_instance, suspend/resume_instance, rescue/unrescue_instance,
 * set_admin_password, trigger_crash_dump, snapshot_instance/backup_instance with
 * _rotate_backups, rebuild_instance with _rebuild_default_impl, get_*_console) on this host's
 * driver. Each runs under the instance's lock as an event of the action the API recorded
 * (wrap_instance_event), records a fault when it fails (wrap_instance_fault), puts the task
 * state back to None on failure (reverts_task_state), and sends instance.<action>.start/end.
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import { ConsoleAuthTokenRepo, consoleAccessUrl } from '../db/console-auth-tokens.js';
import { updateInstanceMetadata } from '../db/instance-system-metadata.js';
import type { NovaRepos } from '../db/repos.js';
import {
  ConsoleTypeInvalid, ConsoleTypeUnavailable, FeatureNotSupported, ImageNotFound, InstanceAgentNotEnabled, InstanceNotFound, InstanceNotReady,
  InstanceNotRescuable, InstanceNotRunning, InstancePasswordSetFailed, PreserveEphemeralNotSupported, SetAdminPasswdNotSupported,
  UnexpectedDeletingTaskStateError, UnexpectedTaskStateError,
} from '../errors.js';
import type { GlanceAPI } from '../image/glance.js';
import type { NeutronAPI } from '../network/neutron.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import type { ActionPayloadExtra } from '../notifications/payloads.js';
import { expectObject, Instance } from '../objects/index.js';
import type { ComputeDriver, ConsoleConnection } from '../virt/driver.js';
import { withInstanceEvent } from './event-reporter.js';
import type { InstanceEvents } from './instance-events.js';
import type { KeyedLock } from './locks.js';
import { generatePassword } from './passwords.js';
import { PowerState } from './power-state.js';
import type { ConsoleConnectInfo, ConsoleMethod, RebuildInstanceArgs } from './rpcapi.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

/** What [vnc], [spice], [serial_console], [rdp], [mks] and [consoleauth] say. */
export interface ConsoleSettings {
  vnc: { enabled: boolean; baseUrl: string };
  spice: { enabled: boolean; baseUrl: string };
  serial: { enabled: boolean; baseUrl: string };
  rdp: { enabled: boolean; baseUrl: string };
  mks: { enabled: boolean; baseUrl: string };
  tokenTtl: number;
}

export interface LifecycleManagerOptions {
  host: string;
  driver: ComputeDriver;
  repos: NovaRepos;
  glance: GlanceAPI;
  network: NeutronAPI;
  /** Neutron's vif-plugged events for the new guest of a rebuild. */
  events: InstanceEvents;
  notifier: NovaNotifier;
  log: Logger;
  locks: KeyedLock;
  consoles: ConsoleSettings;
  /** The tracker's view of the node changes with a rebuild's guest. */
  refreshNode(node: string): Promise<void>;
}

const SOFT_REBOOT_STATES = [TaskState.REBOOTING, TaskState.REBOOT_PENDING, TaskState.REBOOT_STARTED];
const HARD_REBOOT_STATES = [TaskState.REBOOTING_HARD, TaskState.REBOOT_PENDING_HARD, TaskState.REBOOT_STARTED_HARD];

const SNAPSHOT_TASKS = [TaskState.IMAGE_SNAPSHOT, TaskState.IMAGE_BACKUP, TaskState.IMAGE_PENDING_UPLOAD, TaskState.IMAGE_UPLOADING];

/** Task states that are simply cleared when a restarted compute service finds them. */
const INTERRUPTIBLE: ReadonlySet<string> = new Set([
  TaskState.IMAGE_SNAPSHOT_PENDING, TaskState.IMAGE_SNAPSHOT, TaskState.IMAGE_PENDING_UPLOAD, TaskState.IMAGE_UPLOADING, TaskState.IMAGE_BACKUP,
  TaskState.UPDATING_PASSWORD, TaskState.PAUSING, TaskState.UNPAUSING, TaskState.SUSPENDING, TaskState.RESUMING, TaskState.RESCUING,
  TaskState.UNRESCUING,
]);

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The console kinds: the config that enables them, the one type each accepts, the driver method. */
type ConsoleDriverMethod = 'getVncConsole' | 'getSpiceConsole' | 'getSerialConsole' | 'getRdpConsole' | 'getMksConsole';
const CONSOLES: Readonly<Record<ConsoleMethod, { setting: keyof Omit<ConsoleSettings, 'tokenTtl'>; type: string; driver: ConsoleDriverMethod }>> = {
  get_vnc_console: { setting: 'vnc', type: 'novnc', driver: 'getVncConsole' },
  get_spice_console: { setting: 'spice', type: 'spice-html5', driver: 'getSpiceConsole' },
  get_serial_console: { setting: 'serial', type: 'serial', driver: 'getSerialConsole' },
  get_rdp_console: { setting: 'rdp', type: 'rdp-html5', driver: 'getRdpConsole' },
  get_mks_console: { setting: 'mks', type: 'webmks', driver: 'getMksConsole' },
};

export class LifecycleManager {
  private readonly tokens: ConsoleAuthTokenRepo;

  constructor(private readonly o: LifecycleManagerOptions) {
    this.tokens = new ConsoleAuthTokenRepo(o.repos.db);
  }

  private get repos(): NovaRepos {
    return this.o.repos;
  }

  /** The RPC methods of `compute.<host>` for these actions (merged into ComputeManager.endpoint()). */
  endpointMethods(): Record<string, (ctx: RequestContext, args: Record<string, unknown>) => Promise<unknown>> {
    const inst = (args: Record<string, unknown>): Instance => expectObject(args['instance'], Instance, 'instance');
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    const consoles = Object.fromEntries((Object.keys(CONSOLES) as ConsoleMethod[]).map((method) => [
      method, (ctx: RequestContext, args: Record<string, unknown>) => this.getConsole(ctx, method, inst(args), str(args['console_type'])),
    ]));
    return {
      reboot_instance: (ctx, args) => this.rebootInstance(ctx, inst(args), args['reboot_type'] === 'HARD' ? 'HARD' : 'SOFT'),
      pause_instance: (ctx, args) => this.pauseInstance(ctx, inst(args)),
      unpause_instance: (ctx, args) => this.unpauseInstance(ctx, inst(args)),
      suspend_instance: (ctx, args) => this.suspendInstance(ctx, inst(args)),
      resume_instance: (ctx, args) => this.resumeInstance(ctx, inst(args)),
      rescue_instance: (ctx, args) => this.rescueInstance(ctx, inst(args), str(args['rescue_password']) || null, str(args['rescue_image_ref']) || null),
      unrescue_instance: (ctx, args) => this.unrescueInstance(ctx, inst(args)),
      set_admin_password: (ctx, args) => this.setAdminPassword(ctx, inst(args), str(args['new_pass'])),
      trigger_crash_dump: (ctx, args) => this.triggerCrashDump(ctx, inst(args)),
      snapshot_instance: (ctx, args) => this.snapshotInstance(ctx, inst(args), str(args['image_id'])),
      backup_instance: (ctx, args) => this.backupInstance(ctx, inst(args), str(args['image_id']), str(args['backup_type']), Number(args['rotation'] ?? 0)),
      rebuild_instance: (ctx, args) => this.rebuildInstance(ctx, { ...(args as unknown as RebuildInstanceArgs), instance: inst(args) }),
      ...consoles,
      validate_console_port: (ctx, args) => this.validateConsolePort(ctx, inst(args), str(args['port']), str(args['console_type']), {
        ...(typeof args['console_host'] === 'string' ? { host: args['console_host'] } : {}),
        ...(typeof args['console_unix_socket'] === 'string' ? { unixSocket: args['console_unix_socket'] } : {}),
      }),
    };
  }

  /**
   * One action on the instance: under its lock, as event `compute_<name>` of the request's
   * action; a failure leaves a fault and the task state back at None (unless `keepTaskState`).
   */
  private async act(ctx: RequestContext, given: Instance, name: string, fn: (instance: Instance) => Promise<void>, keepTaskState = false): Promise<void> {
    await this.o.locks.run(given.uuid, () => withInstanceEvent(this.repos.actions, ctx, given.uuid, `compute_${name}`, this.o.host, async () => {
      const instance = await this.repos.instances.find(given.uuid);
      if (!instance) {
        this.o.log.debug({ instance: given.uuid }, `Instance disappeared before ${name}`);
        return;
      }
      try {
        await fn(instance);
      } catch (err) {
        // The server itself gone (deleted meanwhile) is not a fault of this action; a guest the hypervisor lost is.
        if (err instanceof InstanceNotFound && !(await this.repos.instances.find(instance.uuid))) throw err;
        await this.repos.faults.addFromError(instance.uuid, err, this.o.host).catch(() => undefined);
        if (!keepTaskState && !(err instanceof UnexpectedTaskStateError)) {
          await this.repos.instances.save(instance.uuid, { task_state: null }).catch(() => undefined);
        }
        throw err;
      }
    }));
  }

  private powerStateOf(instance: Instance): number {
    try {
      return this.o.driver.getInfo(instance).state;
    } catch (err) {
      if (err instanceof InstanceNotFound) return PowerState.NOSTATE;
      throw err;
    }
  }

  private notify(ctx: RequestContext, instance: Instance, action: string, phase: 'start' | 'end' | 'error', extra?: ActionPayloadExtra, err?: unknown): Promise<void> {
    return this.o.notifier.instanceActionEvent(ctx, instance, action, phase, extra, err === undefined ? undefined : { err, fn: action });
  }

  /**
   * init_host's _init_instance for these actions: a task a stopped compute service left behind
   * is not left hanging. A reboot is tried again (hard); a rebuild cut short is ERROR; a
   * snapshot, password change or other step goes back to no task.
   * @returns whether the instance was one of these
   */
  async recoverInterrupted(ctx: RequestContext, instance: Instance): Promise<boolean> {
    const task = instance.data.task_state;
    if (task === null) return false;
    if ((SOFT_REBOOT_STATES as string[]).includes(task) || (HARD_REBOOT_STATES as string[]).includes(task)) {
      this.o.log.info({ instance: instance.uuid }, 'Instance found in a reboot: rebooting it (hard)');
      const saved = await this.repos.instances.save(instance.uuid, { task_state: TaskState.REBOOTING_HARD }, { task_state: [task] });
      await this.rebootInstance(ctx, saved, 'HARD').catch((err: unknown) => this.o.log.error({ err, instance: instance.uuid }, 'reboot at start-up failed'));
      return true;
    }
    if (([TaskState.REBUILDING, TaskState.REBUILD_BLOCK_DEVICE_MAPPING, TaskState.REBUILD_SPAWNING] as string[]).includes(task)) {
      this.o.log.warn({ instance: instance.uuid }, 'Instance found in a rebuild: setting it to ERROR');
      await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null }, { task_state: [task] });
      return true;
    }
    if (INTERRUPTIBLE.has(task)) {
      this.o.log.info({ instance: instance.uuid, task_state: task }, 'Instance found mid-task: clearing the task state');
      await this.repos.instances.save(instance.uuid, { task_state: null, power_state: this.powerStateOf(instance) }, { task_state: [task] });
      return true;
    }
    return false;
  }

  // --- reboot --------------------------------------------------------------------------------

  /**
   * reboot_instance: REBOOT_PENDING then REBOOT_STARTED (their _HARD forms), the driver's
   * reboot, then ACTIVE (RESCUED stays RESCUED) with the guest's power state. A failed reboot
   * of a guest that still runs is only a fault; otherwise the server goes to ERROR.
   */
  async rebootInstance(ctx: RequestContext, given: Instance, rebootType: 'SOFT' | 'HARD'): Promise<void> {
    const soft = rebootType === 'SOFT';
    await this.act(ctx, given, 'reboot_instance', async (current) => {
      let instance = await this.repos.instances.save(current.uuid, {
        task_state: soft ? TaskState.REBOOT_PENDING : TaskState.REBOOT_PENDING_HARD, power_state: this.powerStateOf(current),
      }, { task_state: soft ? SOFT_REBOOT_STATES : HARD_REBOOT_STATES });
      await this.notify(ctx, instance, 'reboot', 'start');
      if (instance.data.power_state !== PowerState.RUNNING) this.o.log.warn({ instance: instance.uuid, state: instance.data.power_state }, 'trying to reboot a non-running instance');
      const newVmState = instance.data.vm_state === VmState.RESCUED ? VmState.RESCUED : VmState.ACTIVE;
      instance = await this.repos.instances.save(instance.uuid, { task_state: soft ? TaskState.REBOOT_STARTED : TaskState.REBOOT_STARTED_HARD }, {
        task_state: [soft ? TaskState.REBOOT_PENDING : TaskState.REBOOT_PENDING_HARD],
      });
      try {
        await this.o.driver.reboot(ctx, instance, instance.data.network_info, rebootType);
      } catch (err) {
        if (this.powerStateOf(instance) !== PowerState.RUNNING) {
          this.o.log.error({ err, instance: instance.uuid }, 'Cannot reboot instance');
          await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null }).catch(() => undefined);
          throw err;
        }
        this.o.log.warn({ err, instance: instance.uuid }, 'Reboot failed but instance is running');
        await this.repos.faults.addFromError(instance.uuid, err, this.o.host);
        await this.notify(ctx, instance, 'reboot', 'error', undefined, err);
      }
      const done = await this.repos.instances.save(instance.uuid, { power_state: this.powerStateOf(instance), vm_state: newVmState, task_state: null });
      await this.notify(ctx, done, 'reboot', 'end');
    }, true);
  }

  // --- pause, suspend ------------------------------------------------------------------------

  /** One driver step from a task state to a vm state (pause_instance, unpause_instance). */
  private async step(ctx: RequestContext, given: Instance, o: { name: string; notification: string; expected: string; vmState: string; run: (i: Instance) => Promise<void> }): Promise<void> {
    await this.act(ctx, given, o.name, async (instance) => {
      await this.notify(ctx, instance, o.notification, 'start');
      await o.run(instance);
      const done = await this.repos.instances.save(instance.uuid, { power_state: this.powerStateOf(instance), vm_state: o.vmState, task_state: null }, { task_state: [o.expected] });
      await this.notify(ctx, done, o.notification, 'end');
    });
  }

  pauseInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    return this.step(ctx, instance, { name: 'pause_instance', notification: 'pause', expected: TaskState.PAUSING, vmState: VmState.PAUSED, run: (i) => this.o.driver.pause(i) });
  }

  unpauseInstance(ctx: RequestContext, instance: Instance): Promise<void> {
    return this.step(ctx, instance, { name: 'unpause_instance', notification: 'unpause', expected: TaskState.UNPAUSING, vmState: VmState.ACTIVE, run: (i) => this.o.driver.unpause(i) });
  }

  /** suspend_instance: the vm state it had is kept (old_vm_state) for resume; a driver failure puts the server in ERROR. */
  async suspendInstance(ctx: RequestContext, given: Instance): Promise<void> {
    await this.act(ctx, given, 'suspend_instance', async (instance) => {
      await updateInstanceMetadata(this.repos.db, 'instance_system_metadata', instance.uuid, { old_vm_state: instance.data.vm_state });
      await this.notify(ctx, instance, 'suspend', 'start');
      await this.errorOutOnFailure(instance, () => this.o.driver.suspend(ctx, instance));
      const done = await this.repos.instances.save(instance.uuid, {
        power_state: this.powerStateOf(instance), vm_state: VmState.SUSPENDED, task_state: null,
      }, { task_state: [TaskState.SUSPENDING] });
      await this.notify(ctx, done, 'suspend', 'end');
    });
  }

  /** resume_instance: back to the vm state the suspend kept (ACTIVE by default). */
  async resumeInstance(ctx: RequestContext, given: Instance): Promise<void> {
    await this.act(ctx, given, 'resume_instance', async (instance) => {
      await this.notify(ctx, instance, 'resume', 'start');
      await this.errorOutOnFailure(instance, () => this.o.driver.resume(ctx, instance, instance.data.network_info));
      const vmState = instance.data.system_metadata['old_vm_state'] || VmState.ACTIVE;
      await updateInstanceMetadata(this.repos.db, 'instance_system_metadata', instance.uuid, {}, ['old_vm_state']);
      const done = await this.repos.instances.save(instance.uuid, { power_state: this.powerStateOf(instance), vm_state: vmState, task_state: null }, { task_state: [TaskState.RESUMING] });
      await this.notify(ctx, done, 'resume', 'end');
    });
  }

  /** _error_out_instance_on_exception: a failed driver step leaves the server in ERROR. */
  private async errorOutOnFailure(instance: Instance, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null }).catch(() => undefined);
      throw err;
    }
  }

  // --- rescue --------------------------------------------------------------------------------

  /**
   * rescue_instance: the guest is powered off and booted from the rescue image (the one asked
   * for, else the image the server was built from), RESCUED; a driver failure is ERROR.
   */
  async rescueInstance(ctx: RequestContext, given: Instance, rescuePassword: string | null, rescueImageRef: string | null): Promise<void> {
    await this.act(ctx, given, 'rescue_instance', async (instance) => {
      const password = rescuePassword || generatePassword();
      const ref = rescueImageRef || instance.data.system_metadata['image_base_image_ref'] || instance.data.image_ref;
      const image = await this.o.glance.get(ctx, ref);
      await this.notify(ctx, instance, 'rescue', 'start', { kind: 'rescue', rescue_image_ref: rescueImageRef });
      try {
        await this.o.driver.powerOff(instance);
        await this.o.driver.rescue(ctx, instance, instance.data.network_info, image, password);
      } catch (err) {
        this.o.log.error({ err, instance: instance.uuid }, 'Error trying to Rescue Instance');
        await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null }).catch(() => undefined);
        throw new InstanceNotRescuable(instance.uuid, `Driver Error: ${err instanceof Error ? err.message : String(err)}`);
      }
      const done = await this.repos.instances.save(instance.uuid, {
        vm_state: VmState.RESCUED, task_state: null, power_state: this.powerStateOf(instance), launched_at: now(),
      }, { task_state: [TaskState.RESCUING] });
      await this.notify(ctx, done, 'rescue', 'end', { kind: 'rescue', rescue_image_ref: rescueImageRef });
    });
  }

  /** unrescue_instance: back from the rescue image to the guest's own disk, ACTIVE. */
  async unrescueInstance(ctx: RequestContext, given: Instance): Promise<void> {
    await this.act(ctx, given, 'unrescue_instance', async (instance) => {
      await this.notify(ctx, instance, 'unrescue', 'start');
      await this.errorOutOnFailure(instance, () => this.o.driver.unrescue(ctx, instance));
      const done = await this.repos.instances.save(instance.uuid, {
        vm_state: VmState.ACTIVE, task_state: null, power_state: this.powerStateOf(instance),
      }, { task_state: [TaskState.UNRESCUING] });
      await this.notify(ctx, done, 'unrescue', 'end');
    });
  }

  // --- password, crash dump ------------------------------------------------------------------

  /**
   * set_admin_password (a call): the guest must run; what the driver cannot do comes back as
   * InstanceAgentNotEnabled / SetAdminPasswdNotSupported (409) or FeatureNotSupported (501);
   * any other failure is InstancePasswordSetFailed without the driver's words (no password leaks).
   */
  async setAdminPassword(ctx: RequestContext, given: Instance, newPass: string): Promise<void> {
    await this.act(ctx, given, 'set_admin_password', async (instance) => {
      const clear = () => this.repos.instances.save(instance.uuid, { task_state: null }, { task_state: [TaskState.UPDATING_PASSWORD] });
      if (this.powerStateOf(instance) !== PowerState.RUNNING) {
        await clear();
        throw new InstancePasswordSetFailed(instance.uuid, `instance ${instance.uuid} is not running`);
      }
      try {
        await this.o.driver.setAdminPassword(instance, newPass);
      } catch (err) {
        if (err instanceof UnexpectedTaskStateError) throw err;
        await clear().catch(() => undefined);
        if (err instanceof InstanceAgentNotEnabled || err instanceof SetAdminPasswdNotSupported) throw err;
        if (err instanceof FeatureNotSupported) throw new FeatureNotSupported('set_admin_password is not implemented by this driver or guest instance.');
        this.o.log.error({ instance: instance.uuid, error: err instanceof Error ? err.name : 'error' }, 'set_admin_password failed');
        throw new InstancePasswordSetFailed(instance.uuid, 'error setting admin password');
      }
      this.o.log.info({ instance: instance.uuid }, 'Admin password set');
      await clear();
    });
  }

  /** trigger_crash_dump: an NMI to the guest; no state changes (the effect depends on the guest). */
  async triggerCrashDump(ctx: RequestContext, given: Instance): Promise<void> {
    await this.act(ctx, given, 'trigger_crash_dump', async (instance) => {
      await this.notify(ctx, instance, 'trigger_crash_dump', 'start');
      await this.o.driver.triggerCrashDump(instance);
      await this.notify(ctx, instance, 'trigger_crash_dump', 'end');
    }, true);
  }

  // --- snapshot, backup ----------------------------------------------------------------------

  /** snapshot_instance: IMAGE_SNAPSHOT_PENDING -> IMAGE_SNAPSHOT, then the upload; a server gone meanwhile is skipped. */
  async snapshotInstance(ctx: RequestContext, given: Instance, imageId: string): Promise<void> {
    await this.act(ctx, given, 'snapshot_instance', async (current) => {
      let instance: Instance;
      try {
        instance = await this.repos.instances.save(current.uuid, { task_state: TaskState.IMAGE_SNAPSHOT }, { task_state: [TaskState.IMAGE_SNAPSHOT_PENDING] });
      } catch (err) {
        if (err instanceof UnexpectedDeletingTaskStateError || err instanceof InstanceNotFound) {
          this.o.log.debug({ instance: current.uuid }, 'Instance being deleted, snapshot cannot continue');
          return;
        }
        throw err;
      }
      await this.deleteImageOnError(ctx, imageId, () => this.snapshotAndUpload(ctx, instance, imageId, TaskState.IMAGE_SNAPSHOT));
    });
  }

  /** backup_instance: a snapshot (from IMAGE_BACKUP), then the backups of this type beyond `rotation` deleted, oldest first. */
  async backupInstance(ctx: RequestContext, given: Instance, imageId: string, backupType: string, rotation: number): Promise<void> {
    await this.act(ctx, given, 'backup_instance', async (instance) => {
      await this.deleteImageOnError(ctx, imageId, () => this.snapshotAndUpload(ctx, instance, imageId, TaskState.IMAGE_BACKUP));
      await this.rotateBackups(ctx, instance, backupType, rotation);
    });
  }

  /** @delete_image_on_error. */
  private async deleteImageOnError(ctx: RequestContext, imageId: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      await this.o.glance.delete(ctx, imageId).catch((e: unknown) => this.o.log.warn({ err: e, image: imageId }, 'could not delete the image of a failed snapshot'));
      throw err;
    }
  }

  /** _snapshot_instance: the driver captures the disk and uploads it to Glance (the image turns active), then no task. */
  private async snapshotAndUpload(ctx: RequestContext, instance: Instance, imageId: string, expected: string): Promise<void> {
    try {
      const current = await this.repos.instances.save(instance.uuid, { power_state: this.powerStateOf(instance) });
      if (current.data.power_state !== PowerState.RUNNING) this.o.log.warn({ instance: instance.uuid }, 'trying to snapshot a non-running instance');
      const extra: ActionPayloadExtra = { kind: 'snapshot', snapshot_image_id: imageId };
      await this.notify(ctx, current, 'snapshot', 'start', extra);
      await this.o.driver.snapshot(ctx, current, imageId, async (taskState, expectedState) => {
        await this.repos.instances.save(instance.uuid, { task_state: taskState }, { task_state: [expectedState ?? expected] });
      }, (data, meta) => this.o.glance.upload(ctx, imageId, data, meta));
      const done = await this.repos.instances.save(instance.uuid, { task_state: null }, { task_state: [TaskState.IMAGE_UPLOADING] });
      await this.notify(ctx, done, 'snapshot', 'end', extra);
    } catch (err) {
      if (err instanceof InstanceNotFound || err instanceof InstanceNotRunning || err instanceof UnexpectedDeletingTaskStateError) {
        this.o.log.debug({ instance: instance.uuid }, 'Instance disappeared during snapshot');
        const image = await this.o.glance.get(ctx, imageId).catch(() => undefined);
        if (image && image.data.status !== 'active') await this.o.glance.delete(ctx, imageId).catch(() => undefined);
        // A server that is still there (its guest was lost) must not stay in an image task.
        await this.repos.instances.save(instance.uuid, { task_state: null }, { task_state: SNAPSHOT_TASKS }).catch(() => undefined);
        return;
      }
      if (err instanceof ImageNotFound) {
        await this.repos.instances.save(instance.uuid, { task_state: null }).catch(() => undefined);
        this.o.log.warn({ instance: instance.uuid }, 'Image not found during snapshot');
        return;
      }
      throw err;
    }
  }

  /** _rotate_backups: the backups of this server and type, newest first; those beyond `rotation` are deleted. */
  private async rotateBackups(ctx: RequestContext, instance: Instance, backupType: string, rotation: number): Promise<void> {
    const images = await this.o.glance.list(ctx, {
      image_type: 'backup', backup_type: backupType, instance_uuid: instance.uuid, sort_key: 'created_at', sort_dir: 'desc',
    });
    this.o.log.debug({ instance: instance.uuid, found: images.length, rotation }, 'Found backups');
    for (const image of images.slice(rotation).reverse()) {
      await this.o.glance.delete(ctx, image.data.id).catch((err: unknown) => this.o.log.info({ err, image: image.data.id }, 'Failed to delete image during deleting excess backups'));
    }
  }

  // --- rebuild -------------------------------------------------------------------------------

  /**
   * rebuild_instance (_do_rebuild_instance with _rebuild_default_impl): the guest is powered
   * off and destroyed, REBUILD_BLOCK_DEVICE_MAPPING, REBUILD_SPAWNING, spawned from the new
   * image with the new password, ACTIVE; a server that was STOPPED is stopped again.
   */
  async rebuildInstance(ctx: RequestContext, args: RebuildInstanceArgs): Promise<void> {
    // Events that come before the driver waits for them are kept (as for a build).
    this.o.events.begin(args.instance.uuid);
    try {
      await this.doRebuildInstance(ctx, args);
    } finally {
      this.o.events.end(args.instance.uuid);
    }
  }

  private async doRebuildInstance(ctx: RequestContext, args: RebuildInstanceArgs): Promise<void> {
    await this.act(ctx, args.instance, 'rebuild_instance', async (initial) => {
      const origVmState = initial.data.vm_state;
      const image = await this.o.glance.get(ctx, args.image_ref);
      let instance = await this.repos.instances.save(initial.uuid, { power_state: this.powerStateOf(initial), task_state: TaskState.REBUILDING }, { task_state: [TaskState.REBUILDING] });
      const extra: ActionPayloadExtra = { kind: 'rebuild', trusted_image_certificates: null };
      await this.notify(ctx, instance, 'rebuild', 'start', extra);
      try {
        if (args.preserve_ephemeral) throw new PreserveEphemeralNotSupported();
        if (this.o.driver.instanceExists(instance)) await this.o.driver.powerOff(instance);
        await this.o.driver.destroy(ctx, instance, instance.data.network_info);
        await this.tokens.deleteForInstance(instance.uuid);
        instance = await this.repos.instances.save(instance.uuid, { task_state: TaskState.REBUILD_BLOCK_DEVICE_MAPPING }, { task_state: [TaskState.REBUILDING] });
        const bdms = await this.repos.bdms.byInstance(instance.uuid);
        instance = await this.repos.instances.save(instance.uuid, { task_state: TaskState.REBUILD_SPAWNING }, { task_state: [TaskState.REBUILD_BLOCK_DEVICE_MAPPING] });
        const networkInfo = await this.freshNetworkInfo(instance);
        await this.o.driver.spawn({ context: ctx, instance, image, injectedFiles: [], adminPassword: args.new_pass, networkInfo, blockDevices: bdms });
      } catch (err) {
        if (!(err instanceof UnexpectedTaskStateError) && !(err instanceof InstanceNotFound)) {
          await this.repos.instances.save(instance.uuid, { vm_state: VmState.ERROR, task_state: null }).catch(() => undefined);
          await this.notify(ctx, instance, 'rebuild', 'error', extra, err).catch(() => undefined);
        }
        throw err;
      }
      instance = await this.repos.instances.save(instance.uuid, {
        power_state: this.powerStateOf(instance), vm_state: VmState.ACTIVE, task_state: null, launched_at: now(),
      }, { task_state: [TaskState.REBUILD_SPAWNING] });
      if (origVmState === VmState.STOPPED) {
        this.o.log.info({ instance: instance.uuid }, "bringing vm to original state: 'stopped'");
        instance = await this.repos.instances.save(instance.uuid, { task_state: TaskState.POWERING_OFF, progress: 0 });
        await this.o.driver.powerOff(instance);
        instance = await this.repos.instances.save(instance.uuid, { power_state: PowerState.SHUTDOWN, vm_state: VmState.STOPPED, task_state: null }, { task_state: [TaskState.POWERING_OFF] });
      }
      if (instance.data.node) await this.o.refreshNode(instance.data.node);
      await this.notify(ctx, instance, 'rebuild', 'end', extra);
    }, true);
  }

  /**
   * The ports as Neutron has them now (the cache may still say a port is down that has come up
   * since, and the new guest would wait for a vif-plugged event that already came); the cached
   * info when Neutron cannot be asked.
   */
  private async freshNetworkInfo(instance: Instance): Promise<Instance['data']['network_info']> {
    try {
      const info = await this.o.network.networkInfo(instance);
      await this.repos.instances.setNetworkInfo(instance.uuid, info);
      return info;
    } catch (err) {
      this.o.log.warn({ err, instance: instance.uuid }, 'could not refresh the network info cache; using the cached one');
      return instance.data.network_info;
    }
  }

  // --- consoles ------------------------------------------------------------------------------

  /**
   * get_<protocol>_console (a call): the protocol must be enabled ([vnc] enabled...) and the
   * type be its one type; the driver says where the console is served and a token stored for
   * [consoleauth] token_ttl makes the URL.
   */
  async getConsole(ctx: RequestContext, method: ConsoleMethod, instance: Instance, consoleType: string): Promise<ConsoleConnectInfo> {
    const kind = CONSOLES[method];
    const setting = this.o.consoles[kind.setting];
    if (!setting.enabled) throw new ConsoleTypeUnavailable(consoleType);
    if (consoleType !== kind.type) throw new ConsoleTypeInvalid(consoleType);
    let console: ConsoleConnection;
    try {
      console = await this.driverConsole(ctx, kind.driver, instance);
    } catch (err) {
      if (err instanceof InstanceNotFound && instance.data.vm_state === VmState.BUILDING) throw new InstanceNotReady(instance.uuid);
      throw err;
    }
    const token = await this.tokens.authorize({
      consoleType, host: console.host, port: console.port, internalAccessPath: console.internal_access_path, unixSocket: console.unix_socket ?? null,
      instanceUuid: instance.uuid, accessUrlBase: setting.baseUrl,
    }, this.o.consoles.tokenTtl);
    return { token, access_url: consoleAccessUrl(consoleType, setting.baseUrl, token), host: console.host, port: console.port, internal_access_path: console.internal_access_path };
  }

  private driverConsole(ctx: RequestContext, method: ConsoleDriverMethod, instance: Instance): Promise<ConsoleConnection> {
    return this.o.driver[method](ctx, instance);
  }

  /**
   * validate_console_port: whether the guest's console of this type is (still) served at
   * `port` (the port comes as a string, as in Nova) and, when asked, at `at.host`; a console on
   * a UNIX socket only at the socket `at.unixSocket` names (a token without it does not pass, nor
   * one naming a socket for a TCP console). A guest this host does not have, or whose console is
   * not served now, does not validate.
   */
  async validateConsolePort(ctx: RequestContext, instance: Instance, port: string, consoleType: string, at: { host?: string; unixSocket?: string } = {}): Promise<boolean> {
    const method = Object.values(CONSOLES).find((k) => k.type === consoleType)?.driver ?? 'getVncConsole';
    let console: ConsoleConnection;
    try {
      console = await this.driverConsole(ctx, method, instance);
    } catch (err) {
      this.o.log.info({ err, instance: instance.uuid, consoleType }, 'console port not validated');
      return false;
    }
    return String(console.port) === port && (at.host === undefined || console.host === at.host) && (console.unix_socket ?? undefined) === at.unixSocket;
  }
}
