/**
 * Deferred delete on a compute host (nova/compute/manager.py's soft_delete_instance,
 * restore_instance and _reclaim_queued_deletes), used when [DEFAULT] reclaim_instance_interval
 * is above 0:
 *  - soft_delete_instance: the guest is powered off (the virt driver's power_off, nova's
 *    fallback for drivers without soft_delete), the server SOFT_DELETED with no task; its ports,
 *    allocation and disk stay (instance.soft_delete.start/end).
 *  - restore_instance: the guest is powered on again (the power_on fallback of restore), the
 *    server ACTIVE (instance.restore.start/end).
 *  - _reclaim_queued_deletes (periodic): this host's SOFT_DELETED servers with no task, deleted
 *    longer than the interval ago, are deleted for real (terminate_instance).
 * A failure leaves a fault and puts the task state back to none (reverts_task_state).
 */
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { NovaRepos } from '../db/repos.js';
import { InstanceNotFound } from '../errors.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import { expectObject, Instance } from '../objects/index.js';
import type { ComputeDriver } from '../virt/driver.js';
import { withInstanceEvent } from './event-reporter.js';
import type { KeyedLock } from './locks.js';
import { PowerState } from './power-state.js';
import { TaskState } from './task-states.js';
import { VmState } from './vm-states.js';

export interface DeferredDeleteOptions {
  host: string;
  driver: ComputeDriver;
  repos: NovaRepos;
  notifier: NovaNotifier;
  log: Logger;
  /** The manager's per-instance lock: one operation per server at a time. */
  locks: KeyedLock;
  /** The manager's terminate_instance (takes the lock itself). */
  terminate(ctx: RequestContext, instance: Instance): Promise<void>;
  /** [DEFAULT] reclaim_instance_interval in seconds; 0 or less: nothing is reclaimed. */
  reclaimInterval: number;
}

export class DeferredDeleteManager {
  constructor(private readonly o: DeferredDeleteOptions) {}

  private get repos(): NovaRepos {
    return this.o.repos;
  }

  /** The RPC methods of `compute.<host>` this module adds. */
  endpointMethods(): Record<string, (ctx: RequestContext, args: Record<string, unknown>) => Promise<void>> {
    return {
      soft_delete_instance: (ctx, args) => this.softDeleteInstance(ctx, expectObject(args['instance'], Instance, 'instance')),
      restore_instance: (ctx, args) => this.restoreInstance(ctx, expectObject(args['instance'], Instance, 'instance')),
    };
  }

  /** The power state the driver reports (NOSTATE for a guest it does not have). */
  private powerState(instance: Instance): number {
    try {
      return this.o.driver.getInfo(instance).state;
    } catch (err) {
      if (err instanceof InstanceNotFound) return PowerState.NOSTATE;
      throw err;
    }
  }

  /** reverts_task_state + wrap_instance_fault: a failed step leaves a fault and no task. */
  private async revertOnFailure(instance: Instance, expected: string, err: unknown): Promise<never> {
    if (!(err instanceof InstanceNotFound)) {
      await this.repos.faults.addFromError(instance.uuid, err, this.o.host).catch(() => undefined);
      await this.repos.instances.save(instance.uuid, { task_state: null }, { task_state: [expected] }).catch(() => undefined);
    }
    throw err;
  }

  /** soft_delete_instance: SOFT_DELETING -> SOFT_DELETED, guest powered off. */
  softDeleteInstance(ctx: RequestContext, given: Instance): Promise<void> {
    return this.transition(ctx, given, { action: 'soft_delete', from: TaskState.SOFT_DELETING, to: VmState.SOFT_DELETED }, (i) => this.o.driver.powerOff(i));
  }

  /** restore_instance: RESTORING -> ACTIVE, guest powered on. */
  restoreInstance(ctx: RequestContext, given: Instance): Promise<void> {
    return this.transition(ctx, given, { action: 'restore', from: TaskState.RESTORING, to: VmState.ACTIVE }, (i) => this.o.driver.powerOn(ctx, i, i.data.network_info));
  }

  /** One step under the instance's lock and event: instance.<action>.start, the driver, the new vm state with no task, instance.<action>.end. */
  private async transition(ctx: RequestContext, given: Instance, step: { action: string; from: string; to: string }, drive: (i: Instance) => Promise<void>): Promise<void> {
    await this.o.locks.run(given.uuid, () => withInstanceEvent(this.repos.actions, ctx, given.uuid, `compute_${step.action}_instance`, this.o.host, async () => {
      const instance = await this.repos.instances.get(given.uuid);
      await this.o.notifier.instanceAction(ctx, instance, step.action, 'start');
      let saved: Instance;
      try {
        await drive(instance);
        saved = await this.repos.instances.save(instance.uuid, { power_state: this.powerState(instance), vm_state: step.to, task_state: null }, { task_state: [step.from] });
      } catch (err) {
        return this.revertOnFailure(instance, step.from, err);
      }
      await this.o.notifier.instanceAction(ctx, saved, step.action, 'end');
    }));
  }

  /** _deleted_old_enough: no deleted_at, or one at least `interval` seconds ago. */
  static deletedOldEnough(instance: Instance, intervalSeconds: number, now = Date.now()): boolean {
    const at = instance.data.deleted_at;
    if (!at) return true;
    return Date.parse(at.endsWith('Z') || /[+-]\d\d:?\d\d$/.test(at) ? at : `${at}Z`) + intervalSeconds * 1000 <= now;
  }

  /** _reclaim_queued_deletes: the periodic reclaim of this host's SOFT_DELETED servers; the failures are logged. */
  async reclaimQueuedDeletes(ctx: RequestContext): Promise<number> {
    const interval = this.o.reclaimInterval;
    if (interval <= 0) return 0;
    let reclaimed = 0;
    for (const instance of await this.repos.instances.byHost(this.o.host)) {
      if (instance.data.vm_state !== VmState.SOFT_DELETED || instance.data.task_state !== null) continue;
      if (!DeferredDeleteManager.deletedOldEnough(instance, interval)) continue;
      this.o.log.info({ instance: instance.uuid }, 'Reclaiming deleted instance');
      try {
        await this.o.terminate(ctx, instance);
        reclaimed++;
      } catch (err) {
        this.o.log.warn({ err, instance: instance.uuid }, 'Periodic reclaim failed to delete instance');
      }
    }
    return reclaimed;
  }
}
