/**
 * The token provider (keystone/token/provider.py with the Fernet provider): issues tokens and
 * validates them. Both build a ResolvedToken and check it as upstream's TokenModel.mint does
 * (user, project and domain enabled, roles present for the scope, trust still backed by the
 * trustor's roles); validation then checks expiry, revocation and that the user is enabled.
 *
 * Error statuses as upstream: an unreadable token, an expired or a revoked one is 404
 * ("Could not recognize Fernet token" / "Failed to validate token"); a token whose user or
 * scope lost its access is 404 "Could not find token: <id>."; a deleted or disabled project
 * or domain is 404 with the resource's message.
 */
import { randomUUID } from 'node:crypto';
import { NotFound, Unauthorized } from '../../../common/errors.js';
import { SecurityForbidden, TokenNotFound, TokenNotFoundById, Unauthenticated } from '../auth/errors.js';
import type { AppCredRef } from '../application_credential/backends/base.js';
import type { AppCredManager } from '../application_credential/core.js';
import { DomainNotFound, ProjectNotFound, UserDisabled, UserNotFound } from '../errors.js';
import type { DomainRef, KeystoneProviders, RoleRef, UserRef } from '../providers.js';
import type { RevokeManager } from '../revoke/core.js';
import type { TrustRef } from '../trust/backends/base.js';
import type { TrustManager } from '../trust/core.js';
import { TokenFormatter, UnreadableToken } from './formatter.js';
import { tokenValues, type ResolvedToken, type TokenRole } from './model.js';
import type { TokenPayload } from './payload.js';

export interface IssueRequest {
  userId: string;
  methods: string[];
  /** Seconds since the epoch; default now + [token] expiration. */
  expiresAt?: number;
  system?: boolean;
  projectId?: string;
  domainId?: string;
  trustId?: string;
  appCredId?: string;
  /** Audit id of the token this one was obtained with (the chain's first). */
  parentAuditId?: string | null;
}

export interface TokenProviderDeps {
  formatter: TokenFormatter;
  providers: KeystoneProviders;
  revoke: RevokeManager;
  trusts: TrustManager;
  appCreds: AppCredManager;
  /** [token] expiration in seconds. */
  expiration: number;
}

/** A random url-safe audit id: 16 bytes, base64url without padding (random_urlsafe_str). */
export function newAuditId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}

const roleBody = (r: RoleRef): TokenRole => ({ id: r.id, name: r.name });
const globalOnly = (roles: RoleRef[]): RoleRef[] => roles.filter((r) => r.domainId === null);

export class TokenProvider {
  constructor(private readonly deps: TokenProviderDeps) {}

  async issue(req: IssueRequest): Promise<ResolvedToken> {
    const now = Math.floor(Date.now() / 1000);
    let expiresAt = Math.floor(req.expiresAt ?? now + this.deps.expiration);
    if (req.appCredId) {
      // CVE-2022-2447: a token never outlives its application credential.
      const appCred = await this.deps.appCreds.get(req.appCredId);
      const limit = appCred.expiresAt !== null ? Math.floor(Date.parse(appCred.expiresAt) / 1000) : undefined;
      if (limit !== undefined && expiresAt > limit) expiresAt = limit;
    }
    const payload: TokenPayload = {
      userId: req.userId,
      methods: req.methods,
      auditIds: req.parentAuditId ? [newAuditId(), req.parentAuditId] : [newAuditId()],
      expiresAt,
      ...(req.system ? { system: 'all' } : {}),
      ...(req.domainId ? { domainId: req.domainId } : {}),
      ...(req.projectId ? { projectId: req.projectId } : {}),
      ...(req.trustId ? { trustId: req.trustId } : {}),
      ...(req.appCredId ? { appCredId: req.appCredId } : {}),
    };
    const { id, issuedAt } = this.deps.formatter.create(payload, now);
    return this.resolve(id, payload, issuedAt);
  }

  /**
   * Validate a token id. `windowSeconds` lets a token be used that long after it expired
   * (?allow_expired). Throws the 404s described above, or 403 for a broken trust.
   */
  async validate(tokenId: string | undefined, windowSeconds = 0): Promise<ResolvedToken> {
    if (!tokenId) throw new TokenNotFound('No token in the request');
    let decoded;
    try {
      decoded = this.deps.formatter.decode(tokenId);
    } catch (err) {
      if (err instanceof UnreadableToken) throw new TokenNotFound(err.message);
      throw err;
    }
    try {
      const token = await this.resolve(tokenId, decoded.payload, decoded.issuedAt);
      if (Date.now() / 1000 >= token.expiresAt + windowSeconds) throw new TokenNotFound('Failed to validate token');
      if (this.deps.revoke.isRevoked(tokenValues(token))) throw new TokenNotFound('Failed to validate token');
      if (!token.user.enabled) throw new UserDisabled(token.user.id);
      return token;
    } catch (err) {
      if (err instanceof Unauthorized) throw new TokenNotFoundById(tokenId);
      throw err;
    }
  }

  /** Revoke a valid token by its audit id (DELETE /v3/auth/tokens). */
  async revoke(tokenId: string | undefined): Promise<void> {
    const token = await this.validate(tokenId);
    await this.deps.revoke.revokeByAuditId(token.auditId);
  }

  /** Look up what the payload refers to and check it (upstream's TokenModel.mint). */
  async resolve(id: string, payload: TokenPayload, issuedAt: number): Promise<ResolvedToken> {
    const p = this.deps.providers;
    const user = await this.user(payload.userId);
    const userDomain = await this.domain(user.domainId);
    const [auditId, parentAuditId] = payload.auditIds;
    if (!auditId) throw new TokenNotFound('Failed to validate token');
    const token: ResolvedToken = {
      id, payload, issuedAt, expiresAt: payload.expiresAt, auditId, parentAuditId: parentAuditId ?? null,
      user, userDomain, system: payload.system === 'all', roles: [],
    };
    if (payload.projectId) {
      const project = await p.getProject(payload.projectId);
      if (!project) throw new ProjectNotFound(payload.projectId);
      token.project = project;
      token.projectDomain = await this.domain(project.domainId);
      if (!project.enabled) throw new NotFound(`Unable to validate token because project ${project.id} is disabled`);
      if (!token.projectDomain.enabled) throw new NotFound(`Unable to validate token because domain ${project.domainId} is disabled`);
    }
    if (payload.domainId) {
      token.domain = await this.domain(payload.domainId);
      if (!token.domain.enabled) throw new NotFound(`Unable to validate token because domain ${token.domain.id} is disabled`);
    }
    if (payload.trustId) await this.resolveTrust(token, payload.trustId);
    if (payload.appCredId) token.appCred = await this.deps.appCreds.get(payload.appCredId);
    if (!userDomain.enabled) throw new NotFound(`Unable to validate token because domain ${userDomain.id} is disabled`);

    token.roles = await this.roles(token);
    if (token.system && token.roles.length === 0) throw new Unauthenticated(`User ${user.id} has no access to the system`);
    if (token.domain && token.roles.length === 0) throw new Unauthenticated(`User ${user.id} has no access to domain ${token.domain.id}`);
    if (token.project && token.roles.length === 0) throw new Unauthenticated(`User ${user.id} has no access to project ${token.project.id}`);
    return token;
  }

  private async resolveTrust(token: ResolvedToken, trustId: string): Promise<void> {
    const trust = await this.deps.trusts.get(trustId);
    token.trust = trust;
    token.trustor = await this.user(trust.trustorUserId);
    token.trustee = await this.user(trust.trusteeUserId);
    if (token.user.id !== token.trustee.id) throw new SecurityForbidden('User is not a trustee.');
    token.trustorDomain = await this.domain(token.trustor.domainId);
    if (!token.trustorDomain.enabled) throw new TokenNotFound('Trustor domain is disabled.');
    const trusteeDomain = await this.domain(token.trustee.domainId);
    if (!trusteeDomain.enabled) throw new TokenNotFound('Trustee domain is disabled.');
    if (!token.trustor.enabled) throw new SecurityForbidden('Trustor is disabled.');
  }

  private async roles(t: ResolvedToken): Promise<TokenRole[]> {
    const p = this.deps.providers;
    if (t.system) return globalOnly(await p.rolesOnSystem(t.user.id)).map(roleBody);
    if (t.trust) return this.trustRoles(t.trust);
    if (t.domain) return globalOnly(await p.rolesOnDomain(t.user.id, t.domain.id)).map(roleBody);
    if (t.appCred && t.project) return this.appCredRoles(t.appCred, t.user.id, t.project.id);
    if (t.project) return globalOnly(await p.rolesOnProject(t.user.id, t.project.id)).map(roleBody);
    return [];
  }

  /** The trust's roles (implied ones added) that the original trustor still has on the project. */
  private async trustRoles(trust: TrustRef): Promise<TokenRole[]> {
    const p = this.deps.providers;
    let trustorId = trust.trustorUserId;
    if (trust.redelegatedTrustId) {
      const chain = await this.deps.trusts.pedigree(trust.id);
      trustorId = (chain[chain.length - 1] as TrustRef).trustorUserId;
    }
    const effective = await p.expandImpliedRoles(trust.roleIds);
    const trustorRoles = new Set(trust.projectId ? (await p.rolesOnProject(trustorId, trust.projectId)).map((r) => r.id) : []);
    const out: TokenRole[] = [];
    for (const role of effective) {
      if (!trustorRoles.has(role.id)) throw new SecurityForbidden('Trustee has no delegated roles.');
      if (role.domainId === null) out.push({ id: role.id, name: role.name, domain_id: null });
    }
    return out;
  }

  /** The credential's roles that the user still has on its project. */
  private async appCredRoles(appCred: AppCredRef, userId: string, projectId: string): Promise<TokenRole[]> {
    const current = new Map((await this.deps.providers.rolesOnProject(userId, projectId)).map((r) => [r.id, r]));
    return appCred.roleIds.flatMap((id) => {
      const r = current.get(id);
      return r ? [roleBody(r)] : [];
    });
  }

  private async user(id: string): Promise<UserRef> {
    const user = await this.deps.providers.getUser(id);
    if (!user) throw new UserNotFound(id);
    return user;
  }

  private async domain(id: string): Promise<DomainRef> {
    const d = await this.deps.providers.getDomain(id);
    if (!d) throw new DomainNotFound(id);
    return d;
  }
}
