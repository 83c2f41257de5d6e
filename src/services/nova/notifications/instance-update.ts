/**
 * instance.update (nova/notifications/base.py send_update, called by nova's Instance.save):
 * while [notifications] notify_on_state_change is set, every save of a server announces it with
 * an InstanceUpdatePayload. A save that changed the vm state (or, with vm_and_task_state, the
 * task state) carries the old and new states in state_update; any other save carries the
 * current states as both, and old_display_name when the name changed. As nova's
 * _compute_states_payload, a state given as None is filled with the instance's current one, so
 * a task state leaving None reads old_task_state = new_task_state (None -> networking shows
 * networking -> networking).
 *
 * The publisher is nova's for Instance.save: `nova-compute:<host>` whichever service saves
 * (send_update's default service "compute", CONF.host of the process); the conductor's save
 * of a server it starts building names `nova-conductor` (its send_update_with_states). The
 * context is the one of the request scope the save runs in (the API request or RPC message
 * that caused it), else an internal one. Wired by the roles as the InstanceRepo's save
 * observer only when the option is set and versioned notifications are sent: with the option
 * off a save reads and sends nothing more.
 */
import { RequestContext } from '../../../common/context.js';
import type { Config } from '../../../common/config/index.js';
import { isoSeconds } from '../../../common/db/index.js';
import type { Logger } from '../../../common/log/logger.js';
import { currentScope, newRequestId } from '../../../common/log/request-scope.js';
import { Notifier, osloMessagingNotificationsGroup, type Transport } from '../../../common/messaging/index.js';
import { notificationsGroup } from '../config.js';
import type { InstanceSaveObserver, InstanceStatesBefore } from '../db/instances.js';
import type { Instance } from '../objects/index.js';
import { novaSerializer } from '../rpc/serializer.js';
import { instanceUpdatePayload, unchangedStates, type InstanceUpdateExtra } from './payloads.js';

/** [notifications] notify_on_state_change when set. */
export type StateChangeMode = 'vm_state' | 'vm_and_task_state';

/**
 * send_update's choice for a save: its state_update (a state change, or the current states
 * as both) and old_display_name (only in an update without a state change, as nova's).
 */
export function stateUpdateOf(mode: StateChangeMode, before: InstanceStatesBefore, after: Instance): Omit<InstanceUpdateExtra, 'audit_period'> {
  const vm = after.data.vm_state;
  const task = after.data.task_state;
  const changed = before.vm_state !== vm || (mode === 'vm_and_task_state' && before.task_state !== task);
  if (changed) {
    // _compute_states_payload: a None state is the instance's current one
    return { state_update: { old_state: before.vm_state ?? vm, state: vm, old_task_state: before.task_state ?? task, new_task_state: task }, old_display_name: null };
  }
  const oldName = before.display_name ?? '';
  return { state_update: unchangedStates(after), old_display_name: oldName !== after.data.display_name && oldName !== '' ? oldName : null };
}

/**
 * audit_period_bounds(current_period=True) with nova's default instance_usage_audit_period
 * (month): from the end of the last completed month (the 1st of this one, 00:00 UTC; of the
 * one before at that very instant) to now.
 */
export function currentAuditPeriod(now: Date = new Date()): { beginning: string; ending: string } {
  let begin = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  if (begin.getTime() >= now.getTime()) begin = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return { beginning: isoSeconds(begin), ending: isoSeconds(now) };
}

/** The context of the work a save runs in: the request scope's, else an internal one with its request id. */
function scopeContext(): RequestContext {
  const scope = currentScope();
  if (scope?.context instanceof RequestContext) return scope.context;
  return RequestContext.internal(scope?.requestId ?? newRequestId());
}

export class InstanceUpdateNotifier {
  private readonly notifiers = new Map<string, Notifier<RequestContext>>();

  constructor(
    private readonly base: Notifier<RequestContext>,
    private readonly mode: StateChangeMode,
    private readonly host: string,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  /** The notifier of a role, or undefined when notify_on_state_change is empty or versioned notifications are off. */
  static fromConfig(transport: Transport, config: Config, host: string, log: Pick<Logger, 'warn'>): InstanceUpdateNotifier | undefined {
    const n = config.get(notificationsGroup);
    if (n.notify_on_state_change === '' || n.notification_format === 'none' || config.get(osloMessagingNotificationsGroup).driver === 'noop') return undefined;
    const notifier = new Notifier<RequestContext>(transport, {
      publisherId: `nova-compute:${host}`, topics: [...n.versioned_notifications_topics], serializer: novaSerializer(),
    });
    return new InstanceUpdateNotifier(notifier, n.notify_on_state_change, host, log);
  }

  /** The InstanceRepo's save observer. */
  observer(): InstanceSaveObserver {
    return (before, after, service) => this.sendUpdate(scopeContext(), before, after, service);
  }

  /** send_update: instance.update for a save, from `nova-<service>:<host>`. Never throws (nova logs and goes on). */
  async sendUpdate(ctx: RequestContext, before: InstanceStatesBefore, after: Instance, service = 'compute'): Promise<void> {
    try {
      const payload = instanceUpdatePayload(after, {
        // InstancePayload: no request id for a context without a user and project (periodic tasks)
        requestId: ctx.projectId && ctx.userId ? ctx.requestId : null, user: ctx.userId ?? null, project: ctx.projectId ?? null,
      }, { ...stateUpdateOf(this.mode, before, after), audit_period: currentAuditPeriod() });
      await this.notifierOf(service).info(ctx, 'instance.update', payload);
    } catch (err) {
      this.log.warn({ err, instance: after.uuid }, 'Failed to send state update notification');
    }
  }

  /** _map_legacy_service_to_source: `nova-<service>` unless it already starts so. */
  private notifierOf(service: string): Notifier<RequestContext> {
    const source = service.startsWith('nova-') ? service : `nova-${service}`;
    if (source === 'nova-compute') return this.base;
    let n = this.notifiers.get(source);
    if (!n) this.notifiers.set(source, (n = this.base.prepare({ publisherId: `${source}:${this.host}` })));
    return n;
  }
}
