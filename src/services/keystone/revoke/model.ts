/**
 * Revocation events and how a token matches one (keystone/models/revoke_model.py together
 * with the SQL filter of keystone/revoke/backends/sql.py): an event revokes every token issued
 * at or before its `issuedBefore` second whose attributes agree with each attribute the event
 * sets. Times are whole seconds since the epoch.
 */
import { isoTime } from '../token/time.js';

export interface RevokeEvent {
  /** Row id (ordering for pollers); 0 before it is stored. */
  id: number;
  domainId: string | null;
  /** Set instead of domainId when a domain-scoped token with a given expiry is revoked. */
  domainScopeId: string | null;
  projectId: string | null;
  userId: string | null;
  roleId: string | null;
  trustId: string | null;
  consumerId: string | null;
  accessTokenId: string | null;
  auditId: string | null;
  auditChainId: string | null;
  expiresAt: number | null;
  issuedBefore: number;
  revokedAt: number;
}

/** The attributes of a token that events are compared with (build_token_values). */
export interface TokenValues {
  issuedAt: number;
  expiresAt: number;
  auditId: string;
  auditChainId: string | null;
  userId: string;
  identityDomainId: string | null;
  projectId: string | null;
  assignmentDomainId: string | null;
  roleIds: readonly string[];
  trustId: string | null;
  trustorId: string | null;
  trusteeId: string | null;
}

export type RevokeEventInit = Partial<Omit<RevokeEvent, 'id' | 'domainScopeId'>>;

/** A new event (RevokeEvent.__init__): revoked now, for tokens issued up to now by default. */
export function newRevokeEvent(init: RevokeEventInit, now = Math.floor(Date.now() / 1000)): RevokeEvent {
  const revokedAt = init.revokedAt ?? now;
  const domainScoped = Boolean(init.domainId && init.expiresAt);
  return {
    id: 0,
    domainId: domainScoped ? null : init.domainId ?? null,
    domainScopeId: domainScoped ? init.domainId ?? null : null,
    projectId: init.projectId ?? null,
    userId: init.userId ?? null,
    roleId: init.roleId ?? null,
    trustId: init.trustId ?? null,
    consumerId: init.consumerId ?? null,
    accessTokenId: init.accessTokenId ?? null,
    auditId: init.auditId ?? null,
    auditChainId: init.auditChainId ?? null,
    expiresAt: init.expiresAt !== undefined && init.expiresAt !== null ? Math.floor(init.expiresAt) : null,
    issuedBefore: init.issuedBefore ?? revokedAt,
    revokedAt,
  };
}

/** Whether the event revokes the token. */
export function matches(e: RevokeEvent, t: TokenValues): boolean {
  if (e.issuedBefore < t.issuedAt) return false;
  if (e.userId !== null && e.userId !== t.userId && e.userId !== t.trustorId && e.userId !== t.trusteeId) return false;
  if (e.projectId !== null && e.projectId !== t.projectId) return false;
  if (e.auditId !== null && e.auditId !== t.auditId) return false;
  if (e.trustId !== null && e.trustId !== t.trustId) return false;
  if (e.domainId !== null && e.domainId !== t.identityDomainId && e.domainId !== t.assignmentDomainId) return false;
  if (e.domainScopeId !== null && e.domainScopeId !== t.assignmentDomainId) return false;
  if (e.expiresAt !== null && e.expiresAt !== Math.floor(t.expiresAt)) return false;
  if (e.auditChainId !== null && e.auditChainId !== t.auditChainId) return false;
  if (e.roleId !== null && !t.roleIds.includes(e.roleId)) return false;
  // OAuth1 is not implemented: events naming a consumer or access token match no token.
  if (e.consumerId !== null || e.accessTokenId !== null) return false;
  return true;
}

/** The event as GET /v3/OS-REVOKE/events shows it (RevokeEvent.to_dict). */
export function eventToApi(e: RevokeEvent): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | null): void => { if (v !== null) out[k] = v; };
  put('user_id', e.userId);
  put('role_id', e.roleId);
  put('domain_id', e.domainId);
  put('domain_scope_id', e.domainScopeId);
  put('project_id', e.projectId);
  put('audit_id', e.auditId);
  put('audit_chain_id', e.auditChainId);
  put('OS-TRUST:trust_id', e.trustId);
  put('OS-OAUTH1:consumer_id', e.consumerId);
  put('OS-OAUTH1:access_token_id', e.accessTokenId);
  if (e.expiresAt !== null) out['expires_at'] = isoTime(e.expiresAt, false);
  out['issued_before'] = isoTime(e.issuedBefore);
  out['revoked_at'] = isoTime(e.revokedAt);
  return out;
}
