/**
 * RequestContext: who is asking, in which scope, under which request id. Built by the auth
 * middleware for every API request, passed explicitly to managers, serialized into RPC
 * messages (oslo.context's to_dict: toMessageContext), rebuilt from them on the other side
 * (oslo.context's from_dict: fromMessage) and turned into policy credentials.
 *
 * Who the context speaks for is its `identity`. For an API request that is the token validated
 * here (`auth`, a full TokenInfo: methods, audit ids, trust...); for a context rebuilt from a
 * message no token was validated in this process, so `auth` is absent and `identity` holds
 * what the message said (ids, names, scope, roles). Policy, logging and notifications read
 * `identity`; only code that needs token facts (Keystone) reads `auth`.
 */
import type { TokenInfo } from './auth/token-info.js';
import { newRequestId } from './log/request-scope.js';
import type { Credentials } from './policy/index.js';

/** The names and ids of a TokenInfo that travel in messages (each may be absent there). */
type IdentityNames = 'userId' | 'userName' | 'userDomainId' | 'userDomainName' | 'projectId' | 'projectName'
  | 'projectDomainId' | 'projectDomainName' | 'domainId' | 'domainName';

/**
 * Who a context speaks for: the part of a TokenInfo that travels in messages (a TokenInfo is
 * one). `system` is the system scope (`system_scope: "all"` in messages).
 */
export type ContextIdentity = Partial<Pick<TokenInfo, IdentityNames>> & Pick<TokenInfo, 'system' | 'roles' | 'isAdminProject'>;

export interface RequestContextInit {
  requestId: string;
  globalRequestId?: string;
  token?: string;
  /** The token validated for this request (API requests). */
  auth?: TokenInfo;
  /** The X-Service-Token validated for this request. */
  serviceAuth?: TokenInfo;
  /** Who the context speaks for when no token was validated here (rebuilt from a message); `auth` wins. */
  identity?: ContextIdentity;
  /** The service user of a rebuilt context; `serviceAuth` wins. */
  serviceIdentity?: ContextIdentity;
  /** oslo's is_admin as the sender decided it; by default the admin role makes an admin. */
  isAdmin?: boolean;
}

/** A message context value as a string, or undefined (null, missing or another type). */
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Drop the undefined entries (exactOptionalPropertyTypes). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export class RequestContext {
  readonly requestId: string;
  readonly globalRequestId: string | undefined;
  readonly token: string | undefined;
  readonly auth: TokenInfo | undefined;
  readonly serviceAuth: TokenInfo | undefined;
  /** Who the context speaks for: `auth`, or what a message carried. */
  readonly identity: ContextIdentity | undefined;
  readonly serviceIdentity: ContextIdentity | undefined;
  private readonly isAdminFlag: boolean | undefined;

  constructor(init: RequestContextInit) {
    this.requestId = init.requestId;
    this.globalRequestId = init.globalRequestId;
    this.token = init.token;
    this.auth = init.auth;
    this.serviceAuth = init.serviceAuth;
    this.identity = init.auth ?? init.identity;
    this.serviceIdentity = init.serviceAuth ?? init.serviceIdentity;
    this.isAdminFlag = init.isAdmin;
  }

  get userId(): string | undefined { return this.identity?.userId; }
  get projectId(): string | undefined { return this.identity?.projectId; }
  get domainId(): string | undefined { return this.identity?.domainId; }
  get roles(): string[] { return this.identity?.roles ?? []; }
  get systemScope(): boolean { return this.identity?.system ?? false; }
  /**
   * The admin role in any scope (upstream's context.is_admin is derived from policy
   * "context_is_admin"), or the is_admin a message carried.
   */
  get isAdmin(): boolean { return this.isAdminFlag ?? this.roles.includes('admin'); }

  /** The id to send downstream as X-Openstack-Request-Id so the whole flow shares one id. */
  get flowRequestId(): string { return this.globalRequestId ?? this.requestId; }

  /** oslo.context's to_policy_values(). */
  toPolicyCredentials(): Credentials {
    const a = this.identity;
    const s = this.serviceIdentity;
    return {
      user_id: a?.userId ?? null,
      user_domain_id: a?.userDomainId ?? null,
      project_id: a?.projectId ?? null,
      project_domain_id: a?.projectDomainId ?? null,
      domain_id: a?.domainId ?? null,
      roles: this.roles.map((r) => r.toLowerCase()),
      system_scope: a?.system ? 'all' : null,
      is_admin_project: a?.isAdminProject ?? true,
      service_user_id: s?.userId ?? null,
      service_user_domain_id: s?.userDomainId ?? null,
      service_project_id: s?.projectId ?? null,
      service_roles: s?.roles ?? [],
    } as Credentials;
  }

  /**
   * oslo.context's to_dict() as Nova extends it: what travels with RPC messages and
   * notifications. Both oslo's short keys (`user`, `project`, `domain`, `user_domain`...) and
   * the `_id` keys are sent, so Python services rebuilding it with from_dict find theirs.
   * The service user's keys are sent only when there is one.
   */
  toMessageContext(): Record<string, unknown> {
    const a = this.identity;
    const dash = (v: string | undefined): string => v ?? '-';
    const out: Record<string, unknown> = {
      request_id: this.requestId,
      global_request_id: this.globalRequestId ?? null,
      user: a?.userId ?? null,
      user_id: a?.userId ?? null,
      user_name: a?.userName ?? null,
      project: a?.projectId ?? null,
      project_id: a?.projectId ?? null,
      project_name: a?.projectName ?? null,
      domain: a?.domainId ?? null,
      domain_id: a?.domainId ?? null,
      domain_name: a?.domainName ?? null,
      user_domain: a?.userDomainId ?? null,
      user_domain_id: a?.userDomainId ?? null,
      user_domain_name: a?.userDomainName ?? null,
      project_domain: a?.projectDomainId ?? null,
      project_domain_id: a?.projectDomainId ?? null,
      project_domain_name: a?.projectDomainName ?? null,
      roles: this.roles,
      system_scope: a?.system ? 'all' : null,
      is_admin: this.isAdmin,
      is_admin_project: a?.isAdminProject ?? true,
      read_only: false,
      show_deleted: false,
      user_identity: `${dash(a?.userId)} ${dash(a?.projectId)} ${dash(a?.domainId)} ${dash(a?.userDomainId)} ${dash(a?.projectDomainId)}`,
      auth_token: this.token ?? null,
    };
    const s = this.serviceIdentity;
    if (s) {
      Object.assign(out, {
        service_user_id: s.userId ?? null,
        service_user_name: s.userName ?? null,
        service_user_domain_id: s.userDomainId ?? null,
        service_user_domain_name: s.userDomainName ?? null,
        service_project_id: s.projectId ?? null,
        service_project_name: s.projectName ?? null,
        service_project_domain_id: s.projectDomainId ?? null,
        service_project_domain_name: s.projectDomainName ?? null,
        service_roles: s.roles,
      });
    }
    return out;
  }

  /**
   * oslo.context's from_dict(): the context a message carried (the inverse of
   * toMessageContext). Reads the `_id` keys and falls back to oslo's short ones (`user`,
   * `project`, `tenant`, `domain`, `user_domain`, `project_domain`) as Python senders write
   * them. Values of the wrong type count as absent; a message without a request id gets a
   * new one, as oslo does. No token is validated: `auth` stays empty, `identity` is set when
   * the message names a user, project, domain, roles or the system scope.
   */
  static fromMessage(values: Record<string, unknown>): RequestContext {
    const v = (key: string, ...fallbacks: string[]): string | undefined => {
      for (const k of [key, ...fallbacks]) {
        const s = str(values[k]);
        if (s !== undefined) return s;
      }
      return undefined;
    };
    const roles = strings(values['roles']);
    const system = values['system_scope'] === 'all';
    const identity: ContextIdentity = {
      ...defined({
        userId: v('user_id', 'user'),
        userName: v('user_name'),
        userDomainId: v('user_domain_id', 'user_domain'),
        userDomainName: v('user_domain_name'),
        projectId: v('project_id', 'project', 'tenant_id', 'tenant'),
        projectName: v('project_name', 'tenant_name'),
        projectDomainId: v('project_domain_id', 'project_domain'),
        projectDomainName: v('project_domain_name'),
        domainId: v('domain_id', 'domain'),
        domainName: v('domain_name'),
      }),
      system,
      roles,
      isAdminProject: typeof values['is_admin_project'] === 'boolean' ? values['is_admin_project'] : true,
    };
    const hasIdentity = Boolean(identity.userId || identity.projectId || identity.domainId || system || roles.length > 0);
    const serviceRoles = strings(values['service_roles']);
    const serviceIdentity: ContextIdentity = {
      ...defined({
        userId: v('service_user_id'),
        userName: v('service_user_name'),
        userDomainId: v('service_user_domain_id'),
        userDomainName: v('service_user_domain_name'),
        projectId: v('service_project_id'),
        projectName: v('service_project_name'),
        projectDomainId: v('service_project_domain_id'),
        projectDomainName: v('service_project_domain_name'),
      }),
      system: false,
      roles: serviceRoles,
      isAdminProject: true,
    };
    const hasService = Boolean(serviceIdentity.userId || serviceRoles.length > 0);
    return new RequestContext(defined({
      requestId: v('request_id') ?? newRequestId(),
      globalRequestId: v('global_request_id'),
      token: v('auth_token'),
      identity: hasIdentity ? identity : undefined,
      serviceIdentity: hasService ? serviceIdentity : undefined,
      isAdmin: typeof values['is_admin'] === 'boolean' ? values['is_admin'] : undefined,
    }));
  }

  /** A context for work the service does on its own behalf (periodic tasks, agents). */
  static internal(requestId: string): RequestContext {
    return new RequestContext({ requestId });
  }
}
