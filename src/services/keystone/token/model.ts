/**
 * A token with everything it refers to looked up (keystone/models/token_model.py), and the
 * three views of it: the API body (keystone/common/render_token.py), the middleware's
 * TokenInfo, and the values revocation events are compared with.
 */
import type { TokenInfo } from '../../../common/auth/token-info.js';
import type { AppCredRef } from '../application_credential/backends/base.js';
import type { CatalogServiceBody, DomainRef, ProjectRef, UserRef } from '../providers.js';
import type { TokenValues } from '../revoke/model.js';
import type { TrustRef } from '../trust/backends/base.js';
import type { TokenPayload } from './payload.js';
import { isoTime } from './time.js';

/** A role as tokens show it: id and name (trust tokens add domain_id). */
export interface TokenRole {
  id: string;
  name: string;
  domain_id?: string | null;
}

export interface ResolvedToken {
  id: string;
  payload: TokenPayload;
  /** Seconds since the epoch. */
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  parentAuditId: string | null;
  user: UserRef;
  userDomain: DomainRef;
  system: boolean;
  domain?: DomainRef;
  project?: ProjectRef;
  projectDomain?: DomainRef;
  trust?: TrustRef;
  trustor?: UserRef;
  trustorDomain?: DomainRef;
  trustee?: UserRef;
  appCred?: AppCredRef;
  roles: TokenRole[];
}

export interface RenderOptions {
  catalog?: CatalogServiceBody[];
  /** [resource] admin_project_name / admin_project_domain_name, when both are set. */
  adminProject?: { name: string; domainName: string };
}

export function auditIds(t: ResolvedToken): string[] {
  return t.parentAuditId ? [t.auditId, t.parentAuditId] : [t.auditId];
}

const userBody = (u: UserRef, d: DomainRef): Record<string, unknown> => ({
  domain: { id: d.id, name: d.name },
  id: u.id,
  name: u.name,
  password_expires_at: u.passwordExpiresAt,
});

function isAdminProject(t: ResolvedToken, admin: RenderOptions['adminProject']): boolean | undefined {
  if (!admin || !t.project || !t.projectDomain) return undefined;
  return t.project.name === admin.name && t.projectDomain.name === admin.domainName;
}

/** The `token` object of POST/GET /v3/auth/tokens, keys in upstream's order. */
export function renderToken(t: ResolvedToken, opts: RenderOptions = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    methods: t.payload.methods,
    user: userBody(t.user, t.userDomain),
    audit_ids: auditIds(t),
    expires_at: isoTime(t.expiresAt),
    issued_at: isoTime(t.issuedAt),
  };
  if (t.system) {
    body['roles'] = t.roles;
    body['system'] = { all: true };
  } else if (t.domain) {
    body['domain'] = { id: t.domain.id, name: t.domain.name };
    body['roles'] = t.roles;
  } else if (t.trust && t.trustor && t.trustee) {
    body['OS-TRUST:trust'] = {
      id: t.trust.id,
      trustor_user: { id: t.trustor.id },
      trustee_user: { id: t.trustee.id },
      impersonation: t.trust.impersonation,
    };
    if (t.project && t.projectDomain) {
      body['project'] = { domain: { id: t.projectDomain.id, name: t.projectDomain.name }, id: t.project.id, name: t.project.name };
    }
    if (t.trust.impersonation && t.trustorDomain) body['user'] = userBody(t.trustor, t.trustorDomain);
    body['roles'] = t.roles;
  } else if (t.project && t.projectDomain) {
    body['project'] = { domain: { id: t.projectDomain.id, name: t.projectDomain.name }, id: t.project.id, name: t.project.name };
    body['is_domain'] = t.project.isDomain;
    body['roles'] = t.roles;
    const admin = isAdminProject(t, opts.adminProject);
    if (admin !== undefined) body['is_admin_project'] = admin;
  }
  if (opts.catalog) body['catalog'] = opts.catalog;
  if (t.appCred) {
    const ac: Record<string, unknown> = { id: t.appCred.id, name: t.appCred.name, restricted: !t.appCred.unrestricted };
    if (t.appCred.accessRules) ac['access_rules'] = t.appCred.accessRules;
    body['application_credential'] = ac;
  }
  return body;
}

/**
 * The response body `{"token": ...}` as JSON text, in two halves around the place of the
 * catalog (after the roles, before the application credential): validation serves the same
 * token many times with a catalog that is itself kept as JSON text, so both are serialized once.
 */
export interface TokenJson {
  head: string;
  tail: string;
}

export function tokenJson(t: ResolvedToken, opts: Pick<RenderOptions, 'adminProject'> = {}): TokenJson {
  const { application_credential: appCred, ...body } = renderToken(t, opts);
  return {
    head: `{"token":${JSON.stringify(body).slice(0, -1)}`,
    tail: `${appCred === undefined ? '' : `,"application_credential":${JSON.stringify(appCred)}`}}}`,
  };
}

/** The body text of `json`, with `catalogJson` (a JSON array) as the token's catalog when given. */
export function tokenBodyText(json: TokenJson, catalogJson?: string): string {
  return catalogJson === undefined ? json.head + json.tail : `${json.head},"catalog":${catalogJson}${json.tail}`;
}

/** Whether the token has a scope (unscoped tokens carry no catalog). */
export function isScoped(t: ResolvedToken): boolean {
  return t.system || t.domain !== undefined || t.project !== undefined || t.trust !== undefined;
}

/** What the auth middleware hands to services (keystonemiddleware's view of the body). */
export function tokenInfo(t: ResolvedToken, opts: Pick<RenderOptions, 'adminProject'> = {}): TokenInfo {
  const impersonated = t.trust?.impersonation && t.trustor && t.trustorDomain;
  const user = impersonated ? (t.trustor as UserRef) : t.user;
  const userDomain = impersonated ? (t.trustorDomain as DomainRef) : t.userDomain;
  const info: TokenInfo = {
    userId: user.id,
    userName: user.name,
    userDomainId: userDomain.id,
    userDomainName: userDomain.name,
    system: t.system,
    roles: t.roles.map((r) => r.name),
    roleIds: t.roles.map((r) => r.id),
    methods: t.payload.methods,
    expiresAt: isoTime(t.expiresAt),
    issuedAt: isoTime(t.issuedAt),
    auditIds: auditIds(t),
    // keystonemiddleware: a token without is_admin_project counts as the admin project.
    isAdminProject: isAdminProject(t, opts.adminProject) ?? true,
  };
  if (t.project && t.projectDomain) {
    info.projectId = t.project.id;
    info.projectName = t.project.name;
    info.projectDomainId = t.projectDomain.id;
    info.projectDomainName = t.projectDomain.name;
  }
  if (t.domain) {
    info.domainId = t.domain.id;
    info.domainName = t.domain.name;
  }
  if (t.appCred) info.applicationCredentialId = t.appCred.id;
  if (t.trust) info.trustId = t.trust.id;
  return info;
}

/** The token's attributes as revocation events see them (build_token_values). */
export function tokenValues(t: ResolvedToken): TokenValues {
  return {
    issuedAt: t.issuedAt,
    expiresAt: t.expiresAt,
    auditId: t.auditId,
    auditChainId: t.parentAuditId,
    userId: t.user.id,
    identityDomainId: t.user.domainId,
    projectId: t.project?.id ?? null,
    assignmentDomainId: t.domain?.id ?? t.project?.domainId ?? null,
    roleIds: t.roles.map((r) => r.id),
    trustId: t.trust?.id ?? null,
    trustorId: t.trust?.trustorUserId ?? null,
    trusteeId: t.trust?.trusteeUserId ?? null,
  };
}
