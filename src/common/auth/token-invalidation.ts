/**
 * Token cache invalidation on the message bus (Nubo's own; upstream keystonemiddleware has no
 * equivalent and keeps revoked tokens until its cache entry expires). Keystone publishes a
 * notification of type TOKEN_CACHE_INVALIDATE_EVENT when it records a revocation event or makes
 * a change that invalidates tokens (a project or domain disabled, a role assignment removed, a
 * role or an application credential deleted); services that validate tokens over HTTP drop the
 * cached validations it describes.
 *
 * The payload (snake_case, as OpenStack payloads):
 *   { "reason": "revocation_event", "audit_id": "...", "user_id": "...", ... }
 * A cached token is dropped when it matches every attribute given (as a revocation event
 * matches tokens); `"all": true` drops every cached token. The event type starts with `nubo.`
 * so that it can never clash with Keystone's `identity.<resource>.<operation>` types or with
 * consumers matching `identity.*`.
 */
import type { TokenInfo } from './token-info.js';

export const TOKEN_CACHE_INVALIDATE_EVENT = 'nubo.token_cache.invalidate';

/** The notification payload. */
export interface TokenInvalidationPayload {
  /** What caused it (informational): 'revocation_event', 'project.disabled', 'role.deleted', ... */
  reason: string;
  audit_id?: string;
  audit_chain_id?: string;
  user_id?: string;
  project_id?: string;
  /** The user's domain, the project's domain or the domain scope. */
  domain_id?: string;
  role_id?: string;
  trust_id?: string;
  application_credential_id?: string;
  /** Drop every cached token (the change cannot be matched to tokens precisely). */
  all?: boolean;
}

/** Which cached tokens to drop: those matching every attribute given. */
export interface TokenCacheMatch {
  auditId?: string;
  auditChainId?: string;
  userId?: string;
  projectId?: string;
  domainId?: string;
  roleId?: string;
  trustId?: string;
  applicationCredentialId?: string;
}

const FIELDS: ReadonlyArray<[keyof TokenInvalidationPayload & string, keyof TokenCacheMatch]> = [
  ['audit_id', 'auditId'],
  ['audit_chain_id', 'auditChainId'],
  ['user_id', 'userId'],
  ['project_id', 'projectId'],
  ['domain_id', 'domainId'],
  ['role_id', 'roleId'],
  ['trust_id', 'trustId'],
  ['application_credential_id', 'applicationCredentialId'],
];

/**
 * Read a payload: 'all', a match with at least one attribute, or undefined when the payload is
 * not one (wrong shape: ignored). A payload naming no attribute drops everything, as a
 * revocation event without attributes revokes every token.
 */
export function matchFromPayload(payload: unknown): TokenCacheMatch | 'all' | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  if (p['all'] === true) return 'all';
  const match: TokenCacheMatch = {};
  for (const [wire, key] of FIELDS) {
    const v = p[wire];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v === '') return undefined;
    match[key] = v;
  }
  return Object.keys(match).length > 0 ? match : 'all';
}

/** The payload describing `match` (the publisher's side of matchFromPayload). */
export function payloadFromMatch(reason: string, match: TokenCacheMatch | 'all'): TokenInvalidationPayload {
  if (match === 'all') return { reason, all: true };
  const out: TokenInvalidationPayload = { reason };
  for (const [wire, key] of FIELDS) {
    const v = match[key];
    if (v !== undefined) (out as unknown as Record<string, unknown>)[wire] = v;
  }
  return out;
}

/**
 * Whether a cached validation matches. Attributes a TokenInfo does not carry are matched
 * generously (dropping too much only costs a validation): a trust token matches any user,
 * since its trustor is not in the token body.
 */
export function tokenMatches(t: TokenInfo, m: TokenCacheMatch): boolean {
  if (m.auditId !== undefined && t.auditIds[0] !== m.auditId) return false;
  if (m.auditChainId !== undefined && !t.auditIds.includes(m.auditChainId)) return false;
  if (m.userId !== undefined && t.userId !== m.userId && t.trustId === undefined) return false;
  if (m.projectId !== undefined && t.projectId !== m.projectId) return false;
  if (m.domainId !== undefined && t.userDomainId !== m.domainId && t.projectDomainId !== m.domainId && t.domainId !== m.domainId) return false;
  if (m.roleId !== undefined && !t.roleIds.includes(m.roleId)) return false;
  if (m.trustId !== undefined && t.trustId !== m.trustId) return false;
  if (m.applicationCredentialId !== undefined && t.applicationCredentialId !== m.applicationCredentialId) return false;
  return true;
}
