/**
 * The caller as Neutron's plugin layer sees it (neutron_lib.context.Context): the project,
 * whether the caller is an admin (policy `context_is_admin`) or a service (`service_api`),
 * which lifts the per-project scoping of queries, and the request context that travels with
 * notifications and RPC. `elevated()` is the admin copy the server uses for its own lookups.
 */
import { RequestContext } from '../../../common/context.js';
import { currentScope } from '../../../common/log/request-scope.js';
import type { MessageContext } from '../../../common/messaging/index.js';

export class NeutronContext {
  constructor(
    readonly projectId: string | undefined,
    readonly isAdmin: boolean,
    readonly isService: boolean,
    readonly request: RequestContext,
  ) {}

  static fromRequest(ctx: RequestContext): NeutronContext {
    const roles = ctx.roles.map((r) => r.toLowerCase());
    return new NeutronContext(ctx.projectId, roles.includes('admin'), roles.includes('service'), ctx);
  }

  /**
   * The server's context while it serves an RPC request: the RPC server runs each request in
   * a scope holding the caller's context rebuilt from the message; outside
   * one, a fresh internal admin context.
   */
  static serving(): NeutronContext {
    const scoped = currentScope()?.context;
    return scoped instanceof RequestContext ? new NeutronContext(undefined, true, false, scoped) : NeutronContext.admin();
  }

  /** A context for the server's own work (periodic tasks, lookups outside a request). */
  static admin(requestId = `req-${crypto.randomUUID()}`): NeutronContext {
    return new NeutronContext(undefined, true, false, RequestContext.internal(requestId));
  }

  /** Sees every project's resources (admin or service users). */
  get unscoped(): boolean {
    return this.isAdmin || this.isService;
  }

  elevated(): NeutronContext {
    return new NeutronContext(this.projectId, true, this.isService, this.request);
  }

  /** oslo.context's to_dict() for notifications and RPC messages. */
  toMessage(): MessageContext {
    return { ...this.request.toMessageContext(), is_admin: this.isAdmin, project_id: this.projectId ?? null, tenant_id: this.projectId ?? null };
  }
}
