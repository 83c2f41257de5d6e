/**
 * Emits Nova's versioned notifications (nova/notifications/objects, nova/compute/utils.py
 * notify_about_instance_action/create) on the bus: `instance.<action>.<phase>` on the
 * [notifications] versioned_notifications_topics, publisher `<binary>:<host>`, the payload a
 * Nova object primitive. A notification that cannot be sent is logged, never thrown.
 */
import type { RequestContext } from '../../../common/context.js';
import { Notifier, osloMessagingNotificationsGroup, type Transport } from '../../../common/messaging/index.js';
import type { Config } from '../../../common/config/index.js';
import { notificationsGroup } from '../config.js';
import type { Flavor, Instance } from '../objects/index.js';
import { novaSerializer } from '../rpc/serializer.js';
import {
  exceptionPayload, extendedActionPayload, flavorPayload, instanceActionPayload, instanceCreatePayload, instanceUpdatePayload, KeypairPayload, unchangedStates,
  type ActionPayloadExtra, type PayloadContext,
} from './payloads.js';
import { currentAuditPeriod } from './instance-update.js';
import { AggregateCachePayload, AggregatePayload, type AggregateAction, type AggregateCachePayloadFields, type AggregatePayloadFields } from './aggregate-payload.js';

export type NotificationPhase = 'start' | 'end' | 'error';

export interface KeyPairInfo {
  name: string;
  user_id: string;
  public_key: string;
  fingerprint: string;
  type: string;
}

export class NovaNotifier {
  private readonly notifier: Notifier<RequestContext> | undefined;

  constructor(transport: Transport, config: Config, binary: string, host: string) {
    const n = config.get(notificationsGroup);
    const driver = config.get(osloMessagingNotificationsGroup).driver;
    this.notifier = n.notification_format === 'none' || driver === 'noop'
      ? undefined
      : new Notifier<RequestContext>(transport, { publisherId: `${binary}:${host}`, topics: [...n.versioned_notifications_topics], serializer: novaSerializer() });
  }

  private static who(ctx: RequestContext): PayloadContext {
    return { requestId: ctx.requestId, user: ctx.userId ?? null, project: ctx.projectId ?? null };
  }

  /** instance.<action>.<phase> with an InstanceActionPayload (power_off, power_on, delete, ...); no phase: instance.<action> (evacuate). */
  async instanceAction(ctx: RequestContext, instance: Instance, action: string, phase: NotificationPhase | null, error?: { err: unknown; fn: string }): Promise<void> {
    if (!this.notifier) return;
    const fault = error ? exceptionPayload(error.err, error.fn) : null;
    const payload = instanceActionPayload(instance, NovaNotifier.who(ctx), fault);
    const event = phase ? `instance.${action}.${phase}` : `instance.${action}`;
    await (phase === 'error' ? this.notifier.error(ctx, event, payload) : this.notifier.info(ctx, event, payload));
  }

  /**
   * instance.<action>[.<phase>] (lock and unlock have no phase) with the plain action payload or,
   * given `extra`, the rescue / snapshot / rebuild payload.
   */
  async instanceActionEvent(
    ctx: RequestContext, instance: Instance, action: string, phase: NotificationPhase | null, extra?: ActionPayloadExtra, error?: { err: unknown; fn: string },
  ): Promise<void> {
    if (!this.notifier) return;
    const fault = error ? exceptionPayload(error.err, error.fn) : null;
    const who = NovaNotifier.who(ctx);
    const payload = extra ? extendedActionPayload(instance, who, fault, extra) : instanceActionPayload(instance, who, fault);
    const eventType = phase ? `instance.${action}.${phase}` : `instance.${action}`;
    await (phase === 'error' ? this.notifier.error(ctx, eventType, payload) : this.notifier.info(ctx, eventType, payload));
  }

  /** instance.create.<phase> with an InstanceCreatePayload. */
  async instanceCreate(ctx: RequestContext, instance: Instance, phase: NotificationPhase, keypairs: KeyPairInfo[], error?: { err: unknown; fn: string }): Promise<void> {
    if (!this.notifier) return;
    const fault = error ? exceptionPayload(error.err, error.fn) : null;
    const payload = instanceCreatePayload(instance, NovaNotifier.who(ctx), fault, keypairs.map((k) => new KeypairPayload({ ...k })));
    await (phase === 'error' ? this.notifier.error(ctx, `instance.create.${phase}`, payload) : this.notifier.info(ctx, `instance.create.${phase}`, payload));
  }

  /**
   * instance.update without a state change from this notifier's service (nova's
   * send_instance_update_notification, the current states as old and new): what the server tags
   * API sends after each change, whatever [notifications] notify_on_state_change says.
   */
  async instanceUpdate(ctx: RequestContext, instance: Instance): Promise<void> {
    if (!this.notifier) return;
    await this.notifier.info(ctx, 'instance.update', instanceUpdatePayload(instance, NovaNotifier.who(ctx), {
      state_update: unchangedStates(instance), old_display_name: null, audit_period: currentAuditPeriod(),
    }));
  }

  /** keypair.<create|import|delete>.<start|end> with a KeypairPayload (compute/utils.py notify_about_keypair_action). */
  async keypairAction(ctx: RequestContext, keypair: KeyPairInfo, action: 'create' | 'import' | 'delete', phase: 'start' | 'end'): Promise<void> {
    if (!this.notifier) return;
    await this.notifier.info(ctx, `keypair.${action}.${phase}`, new KeypairPayload({ ...keypair }));
  }

  /** flavor.<create|update|delete> with a FlavorPayload and the projects it is shared with (nova's Flavor._send_notification). */
  async flavorAction(ctx: RequestContext, flavor: Flavor, projects: string[] | null, action: 'create' | 'update' | 'delete'): Promise<void> {
    if (!this.notifier) return;
    const payload = flavorPayload(flavor);
    payload.data['projects'] = projects;
    await this.notifier.info(ctx, `flavor.${action}`, payload);
  }

  /** aggregate.<action>.<phase> with an AggregatePayload (compute_utils.notify_about_aggregate_action). */
  async aggregateAction(ctx: RequestContext, aggregate: AggregatePayloadFields, action: AggregateAction, phase: 'start' | 'end'): Promise<void> {
    if (!this.notifier) return;
    await this.notifier.info(ctx, `aggregate.${action}.${phase}`, new AggregatePayload({ ...aggregate }));
  }

  /** aggregate.cache_images.progress, once per host of an image pre-caching (compute_utils.notify_about_aggregate_cache). */
  async aggregateCacheProgress(ctx: RequestContext, progress: AggregateCachePayloadFields): Promise<void> {
    if (!this.notifier) return;
    await this.notifier.info(ctx, 'aggregate.cache_images.progress', new AggregateCachePayload({ ...progress }));
  }
}
