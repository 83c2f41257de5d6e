/**
 * The in-process token validator: the hot path of every API call in an all-in-one cloud.
 * Validated tokens are kept in a bounded LRU (never past their expiry, at most [token]
 * cache_time). Every change that can invalidate a token drops the matching entries at once:
 * revocation events (matched exactly as validation would), and changes to users, projects,
 * domains, roles, trusts and application credentials. A validation that was under way while
 * such a change happened is not cached, so a revoked token can never come back from the cache.
 * Concurrent validations of the same uncached token share one lookup.
 */
import { TokenCache } from '../../common/cache/token-cache.js';
import type { TokenInfo, TokenValidator } from '../../common/auth/token-info.js';
import { NuboError, Unauthorized } from '../../common/errors.js';
import { matches, type TokenValues } from './revoke/model.js';
import type { RevokeManager } from './revoke/core.js';
import { tokenInfo, tokenValues, type RenderOptions, type ResolvedToken } from './token/model.js';
import type { TokenProvider } from './token/provider.js';

export interface ValidatedToken {
  token: ResolvedToken;
  info: TokenInfo;
  values: TokenValues;
}

export interface ValidatorOptions {
  cacheSize: number;
  cacheSeconds: number;
  /** [token] allow_expired_window, for validate(token, { allowExpired: true }). */
  allowExpiredWindow: number;
  adminProject?: RenderOptions['adminProject'];
}

export class IdentityTokenValidator implements TokenValidator {
  private readonly cache: TokenCache<ValidatedToken>;
  private readonly inflight = new Map<string, Promise<ValidatedToken>>();
  /** Bumped by every invalidation; a lookup that saw it change is not cached. */
  private generation = 0;

  constructor(private readonly provider: TokenProvider, private readonly revoke: RevokeManager, private readonly opts: ValidatorOptions) {
    this.cache = new TokenCache(Math.max(opts.cacheSize, 0), Math.max(opts.cacheSeconds, 0) * 1000);
    revoke.onRevoke((event) => this.forget((v) => matches(event, v.values)));
  }

  /**
   * TokenValidator for the auth middleware: any failure is 401 for the caller. A cached token
   * is answered without going through the async lookup path (every API call comes here).
   */
  validate(token: string, opts: { allowExpired?: boolean } = {}): Promise<TokenInfo> {
    const info = this.cachedInfo(token);
    if (info) return Promise.resolve(info);
    return this.validateLookup(token, opts.allowExpired ? this.opts.allowExpiredWindow : 0);
  }

  /** What validate() answers for a cached token (not one limited by access rules), with nothing to await. */
  cachedInfo(token: string): TokenInfo | undefined {
    const hit = this.cached(token);
    return hit && !hit.token.appCred?.accessRules ? hit.info : undefined;
  }

  private async validateLookup(token: string, windowSeconds: number): Promise<TokenInfo> {
    try {
      const v = await this.resolve(token, windowSeconds);
      // Nubo's services do not enforce application credential access rules: such tokens are
      // refused, as upstream refuses them to middleware that does not announce support.
      if (v.token.appCred?.accessRules) throw new Unauthorized();
      return v.info;
    } catch (err) {
      if (err instanceof NuboError && err.status < 500) throw new Unauthorized('The request you have made requires authentication.', { cause: err });
      throw err;
    }
  }

  /** The cached validation of `token` when there is one and the token has not expired: nothing to await. */
  cached(token: string): ValidatedToken | undefined {
    const hit = this.cache.get(token);
    return hit && Date.now() / 1000 < hit.token.expiresAt ? hit : undefined;
  }

  /** The validated token with its views; throws the provider's errors (404, 403). */
  async resolve(token: string, windowSeconds = 0): Promise<ValidatedToken> {
    const hit = this.cached(token);
    if (hit) return hit;
    const key = windowSeconds > 0 ? `${windowSeconds}:${token}` : token;
    const running = this.inflight.get(key);
    if (running) return running;
    const lookup = this.lookup(token, windowSeconds).finally(() => this.inflight.delete(key));
    this.inflight.set(key, lookup);
    return lookup;
  }

  /**
   * Remember a token just issued (upstream's cache_on_issue), unless an event of this same
   * second already revokes it (validation would refuse it too).
   */
  remember(token: ResolvedToken): void {
    const entry = this.entry(token);
    if (token.user.enabled && !this.revoke.isRevoked(entry.values)) this.store(token.id, entry);
  }

  forgetUser(userId: string): void {
    this.forget((v) => v.values.userId === userId || v.values.trustorId === userId || v.values.trusteeId === userId);
  }

  forgetProject(projectId: string): void {
    this.forget((v) => v.values.projectId === projectId);
  }

  forgetDomain(domainId: string): void {
    this.forget((v) => v.values.identityDomainId === domainId || v.values.assignmentDomainId === domainId || v.token.trustorDomain?.id === domainId);
  }

  forgetRole(roleId: string): void {
    this.forget((v) => v.values.roleIds.includes(roleId) || (v.token.trust?.roleIds.includes(roleId) ?? false));
  }

  forgetTrust(trustId: string): void {
    this.forget((v) => v.values.trustId === trustId);
  }

  forgetAppCred(appCredId: string): void {
    this.forget((v) => v.token.appCred?.id === appCredId);
  }

  forgetAll(): void {
    this.generation++;
    this.cache.clear();
  }

  get cachedTokens(): number {
    return this.cache.size;
  }

  private forget(pred: (v: ValidatedToken) => boolean): void {
    this.generation++;
    this.cache.deleteWhere(pred);
  }

  private async lookup(token: string, windowSeconds: number): Promise<ValidatedToken> {
    const generation = this.generation;
    const entry = this.entry(await this.provider.validate(token, windowSeconds));
    if (generation === this.generation) this.store(token, entry);
    return entry;
  }

  private entry(token: ResolvedToken): ValidatedToken {
    return { token, info: tokenInfo(token, { adminProject: this.opts.adminProject }), values: tokenValues(token) };
  }

  private store(id: string, entry: ValidatedToken): void {
    const ttl = entry.token.expiresAt * 1000 - Date.now();
    if (ttl > 0) this.cache.set(id, entry, ttl);
  }
}
