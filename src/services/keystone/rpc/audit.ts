/**
 * Keystone's notifications (keystone/notifications.py), sent on the message bus with publisher
 * id `identity.<host>` and priority INFO:
 *  - `identity.<resource_type>.<operation>` for created / updated / deleted resources, with the
 *    payload {"resource_info": <id>} (basic; group membership adds actor_id, actor_type and
 *    actor_operation) or a CADF event carrying resource_info (cadf, upstream's default);
 *  - `identity.role_assignment.created|deleted`: a CADF event with role, user or group, project
 *    or domain and inherited_to_projects (CADF whatever the format, as upstream);
 *  - `identity.authenticate`: a CADF event with outcome success or failure (and a reason for
 *    a locked account or an expired password); by default only failures are sent
 *    ([DEFAULT] notification_opt_out);
 *  - Nubo's token cache invalidations (TOKEN_CACHE_INVALIDATE_EVENT, always sent, on the topic
 *    "notifications"), which services validating tokens over HTTP listen to.
 * Managers call these methods after their database writes have committed. Each returns at
 * once: the notification is built and sent in the background, and a failure (the bus is down)
 * is logged, never thrown at the API call. As upstream, `disabled` events are internal only
 * (a disabled user, project or domain shows on the bus as `updated`).
 */
import type { TokenCacheMatch } from '../../../common/auth/token-invalidation.js';
import { payloadFromMatch, TOKEN_CACHE_INVALIDATE_EVENT } from '../../../common/auth/token-invalidation.js';
import { Notifier, type BusLogger, type Transport } from '../../../common/messaging/index.js';
import { accountUserTarget, cadfEvent, resourceTarget, type CadfOutcome, type CadfReason, type CadfResource } from './cadf.js';
import { currentInitiator } from './initiator.js';
import type { NotificationConfig } from './options.js';

/** Resource types, spelled as upstream's managers spell them (event types are built from them). */
export type AuditResourceType =
  | 'user' | 'group' | 'project' | 'domain' | 'role' | 'region' | 'service' | 'endpoint' | 'policy' | 'credential'
  | 'OS-TRUST:trust' | 'application_credential' | 'access_rule' | 'OS-OAUTH1:consumer' | 'project tag'
  /** Nubo's additions (upstream's unified limits send no notifications). */
  | 'registered_limit' | 'limit';

export type AuditOperation = 'created' | 'updated' | 'deleted';

export interface RoleAssignmentAudit {
  roleId: string;
  userId?: string | undefined;
  groupId?: string | undefined;
  projectId?: string | undefined;
  domainId?: string | undefined;
  inherited: boolean;
}

/** What managers call (upstream's notifications.Audit and friends). Every method returns at once. */
export interface IdentityAudit {
  created(type: AuditResourceType, id: string): void;
  updated(type: AuditResourceType, id: string): void;
  deleted(type: AuditResourceType, id: string): void;
  /** A user added to / removed from a group (`identity.group.updated` with the actor). */
  addedTo(targetType: 'group', targetId: string, actorType: 'user', actorId: string): void;
  removedFrom(targetType: 'group', targetId: string, actorType: 'user', actorId: string): void;
  roleAssignment(operation: 'created' | 'deleted', assignment: RoleAssignmentAudit): void;
  /** A password authentication of `user` succeeded or failed. */
  authenticate(outcome: 'success' | 'failure', user: { id: string; name: string }, reason?: CadfReason): void;
  /** Tell services caching token validations to drop those matching. */
  invalidateTokens(reason: string, match: TokenCacheMatch | 'all'): void;
}

/** Sends nothing (managers built without a bus: tools and unit tests). */
export const silentAudit: IdentityAudit = {
  created() {}, updated() {}, deleted() {}, addedTo() {}, removedFrom() {}, roleAssignment() {}, authenticate() {}, invalidateTokens() {},
};

export interface IdentityNotifierOptions {
  transport: Transport;
  /** [DEFAULT] host: the publisher id is `identity.<host>`. */
  host: string;
  config: NotificationConfig;
  log: BusLogger;
  /** The id of the identity service in the catalog (the CADF observer). */
  identityServiceId(): Promise<string | undefined>;
}

const SERVICE = 'identity';
/** How long the observer id read from the catalog is reused. */
const OBSERVER_TTL_MS = 60_000;

export class IdentityNotifier implements IdentityAudit {
  private readonly notifier: Notifier;
  private readonly invalidations: Notifier;
  private readonly pending = new Set<Promise<void>>();
  private observer: { id: string | undefined; until: number } | undefined;

  constructor(private readonly opts: IdentityNotifierOptions) {
    const publisherId = `${SERVICE}.${opts.host}`;
    this.notifier = new Notifier(opts.transport, { publisherId, topics: [...opts.config.topics], driver: opts.config.driver, log: opts.log });
    this.invalidations = new Notifier(opts.transport, { publisherId, topics: ['notifications'], driver: 'messaging', log: opts.log });
  }

  get publisherId(): string {
    return this.notifier.publisherId;
  }

  created(type: AuditResourceType, id: string): void {
    this.resourceEvent('created', type, id);
  }

  updated(type: AuditResourceType, id: string): void {
    this.resourceEvent('updated', type, id);
  }

  deleted(type: AuditResourceType, id: string): void {
    this.resourceEvent('deleted', type, id);
  }

  addedTo(targetType: 'group', targetId: string, actorType: 'user', actorId: string): void {
    this.resourceEvent('updated', targetType, targetId, { actor_id: actorId, actor_type: actorType, actor_operation: 'added' });
  }

  removedFrom(targetType: 'group', targetId: string, actorType: 'user', actorId: string): void {
    this.resourceEvent('updated', targetType, targetId, { actor_id: actorId, actor_type: actorType, actor_operation: 'removed' });
  }

  roleAssignment(operation: 'created' | 'deleted', a: RoleAssignmentAudit): void {
    const extra: Record<string, unknown> = {};
    if (a.projectId) extra['project'] = a.projectId;
    else if (a.domainId) extra['domain'] = a.domainId;
    if (a.userId) extra['user'] = a.userId;
    else if (a.groupId) extra['group'] = a.groupId;
    extra['inherited_to_projects'] = a.inherited;
    extra['role'] = a.roleId;
    this.audit(`${SERVICE}.role_assignment.${operation}`, 'success', {
      action: `${operation}.role_assignment`, initiator: currentInitiator(), target: accountUserTarget(), extra,
    });
  }

  authenticate(outcome: 'success' | 'failure', user: { id: string; name: string }, reason?: CadfReason): void {
    this.audit(`${SERVICE}.authenticate`, outcome, {
      action: 'authenticate', initiator: currentInitiator(user), target: accountUserTarget(), ...(reason ? { reason } : {}),
    });
  }

  invalidateTokens(reason: string, match: TokenCacheMatch | 'all'): void {
    this.track(this.invalidations.info({}, TOKEN_CACHE_INVALIDATE_EVENT, payloadFromMatch(reason, match)));
  }

  /** Resolves once every notification made so far has been handed to the bus (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** _send_notification (basic) or _create_cadf_payload (cadf). */
  private resourceEvent(operation: AuditOperation, type: AuditResourceType, id: string, actor?: Record<string, string>): void {
    const eventType = `${SERVICE}.${type}.${operation}`;
    if (this.opts.config.format === 'basic') {
      if (!this.sends(eventType)) return;
      this.track(this.notifier.info({}, eventType, { resource_info: id, ...actor }));
      return;
    }
    this.audit(eventType, 'success', {
      action: `${operation}.${type}`, initiator: currentInitiator(), target: resourceTarget(type, id), extra: { resource_info: id },
    });
  }

  /** _send_audit_notification: a CADF event. The initiator is read now, in the request's scope. */
  private audit(
    eventType: string,
    outcome: CadfOutcome,
    e: { action: string; initiator: CadfResource; target: CadfResource; reason?: CadfReason; extra?: Record<string, unknown> },
  ): void {
    if (!this.sends(eventType, outcome)) return;
    this.track((async () => {
      const payload = cadfEvent({ ...e, outcome, observerId: await this.observerId() });
      await this.notifier.info({}, eventType, payload);
    })());
  }

  /** _check_notification_opt_out (authentication events are opted out of by outcome). */
  private sends(eventType: string, outcome?: CadfOutcome): boolean {
    if (this.opts.config.driver === 'noop') return false;
    const key = eventType.includes('authenticate') && outcome ? `${eventType}.${outcome}` : eventType;
    return !this.opts.config.optOut.includes(key);
  }

  private async observerId(): Promise<string | undefined> {
    if (this.observer && Date.now() < this.observer.until) return this.observer.id;
    try {
      const id = await this.opts.identityServiceId();
      this.observer = { id, until: Date.now() + OBSERVER_TTL_MS };
      return id;
    } catch (err) {
      this.opts.log.warn({ err }, 'cannot read the identity service id for a notification');
      return undefined;
    }
  }

  private track(p: Promise<void>): void {
    const guarded = p.catch((err: unknown) => this.opts.log.error({ err }, 'could not send an identity notification'))
      .finally(() => this.pending.delete(guarded));
    this.pending.add(guarded);
  }
}
