/**
 * RequestContext: who is asking, in which scope, under which request id. Built by the auth
 * middleware for every API request, passed explicitly to managers, serialized into RPC
 * messages (oslo.context's to_dict) and turned into policy credentials.
 */
import type { TokenInfo } from './auth/token-info.js';
import type { Credentials } from './policy/index.js';

export interface RequestContextInit {
  requestId: string;
  globalRequestId?: string;
  token?: string;
  auth?: TokenInfo;
  serviceAuth?: TokenInfo;
}

export class RequestContext {
  readonly requestId: string;
  readonly globalRequestId: string | undefined;
  readonly token: string | undefined;
  readonly auth: TokenInfo | undefined;
  readonly serviceAuth: TokenInfo | undefined;

  constructor(init: RequestContextInit) {
    this.requestId = init.requestId;
    this.globalRequestId = init.globalRequestId;
    this.token = init.token;
    this.auth = init.auth;
    this.serviceAuth = init.serviceAuth;
  }

  get userId(): string | undefined { return this.auth?.userId; }
  get projectId(): string | undefined { return this.auth?.projectId; }
  get domainId(): string | undefined { return this.auth?.domainId; }
  get roles(): string[] { return this.auth?.roles ?? []; }
  get systemScope(): boolean { return this.auth?.system ?? false; }
  /** The admin role in any scope (upstream's context.is_admin is derived from policy "context_is_admin"). */
  get isAdmin(): boolean { return this.roles.includes('admin'); }

  /** The id to send downstream as X-Openstack-Request-Id so the whole flow shares one id. */
  get flowRequestId(): string { return this.globalRequestId ?? this.requestId; }

  /** oslo.context's to_policy_values(). */
  toPolicyCredentials(): Credentials {
    const a = this.auth;
    return {
      user_id: a?.userId ?? null,
      user_domain_id: a?.userDomainId ?? null,
      project_id: a?.projectId ?? null,
      project_domain_id: a?.projectDomainId ?? null,
      domain_id: a?.domainId ?? null,
      roles: this.roles.map((r) => r.toLowerCase()),
      system_scope: a?.system ? 'all' : null,
      is_admin_project: a?.isAdminProject ?? true,
      service_user_id: this.serviceAuth?.userId ?? null,
      service_user_domain_id: this.serviceAuth?.userDomainId ?? null,
      service_project_id: this.serviceAuth?.projectId ?? null,
      service_roles: this.serviceAuth?.roles ?? [],
    } as Credentials;
  }

  /** oslo.context's to_dict(): what travels with RPC messages. */
  toMessageContext(): Record<string, unknown> {
    const a = this.auth;
    return {
      request_id: this.requestId,
      global_request_id: this.globalRequestId ?? null,
      user_id: a?.userId ?? null,
      user_name: a?.userName ?? null,
      project_id: a?.projectId ?? null,
      project_name: a?.projectName ?? null,
      domain_id: a?.domainId ?? null,
      user_domain_id: a?.userDomainId ?? null,
      project_domain_id: a?.projectDomainId ?? null,
      roles: this.roles,
      system_scope: a?.system ? 'all' : null,
      is_admin: this.isAdmin,
      auth_token: this.token ?? null,
    };
  }

  /** A context for work the service does on its own behalf (periodic tasks, agents). */
  static internal(requestId: string): RequestContext {
    return new RequestContext({ requestId });
  }
}
