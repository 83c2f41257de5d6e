/**
 * Token validation over HTTP (scale-out mode): IdentityClient.validateToken (GET
 * /v3/auth/tokens with the service's own token), cached in a bounded LRU for `cacheSeconds` (keystonemiddleware's token_cache_time).
 * Entries never outlive the token itself. `forget()` drops cached tokens when a revocation
 * notification arrives (RevocationListener); a validation that was under way meanwhile is not
 * cached, so a revoked token cannot come back into the cache.
 */
import { TokenCache } from '../cache/token-cache.js';
import { IdentityClient } from '../clients/identity.js';
import { ServiceClientError, type ServiceSession } from '../clients/session.js';
import { Unauthorized } from '../errors.js';
import type { TokenInfo, TokenValidator } from './token-info.js';
import { tokenMatches, type TokenCacheMatch } from './token-invalidation.js';

export interface HttpValidatorOptions {
  cacheSize?: number;
  cacheSeconds?: number;
}

export class HttpTokenValidator implements TokenValidator {
  private readonly cache: TokenCache<TokenInfo>;
  private readonly identity: IdentityClient;
  /** Bumped by every forget; a validation that saw it change is not cached. */
  private generation = 0;

  constructor(session: ServiceSession, opts: HttpValidatorOptions = {}) {
    this.identity = new IdentityClient(session);
    this.cache = new TokenCache(opts.cacheSize ?? 10_000, (opts.cacheSeconds ?? 300) * 1000);
  }

  cachedInfo(token: string): TokenInfo | undefined {
    return this.cache.get(token);
  }

  async validate(token: string, opts: { allowExpired?: boolean } = {}): Promise<TokenInfo> {
    if (!opts.allowExpired) {
      const hit = this.cache.get(token);
      if (hit) return hit;
    }
    const generation = this.generation;
    let info: TokenInfo;
    try {
      info = await this.identity.validateToken(token, opts);
    } catch (err) {
      if (err instanceof ServiceClientError && (err.status === 404 || err.status === 401)) throw new Unauthorized('The token is not valid.');
      throw err;
    }
    if (!opts.allowExpired && generation === this.generation) this.cache.set(token, info, Date.parse(info.expiresAt) - Date.now());
    return info;
  }

  /**
   * Forget the cached tokens matching every attribute of `match` (tokenMatches), e.g.
   * `{ auditId }` for one revoked token, `{ userId, projectId }` for a user's tokens on a
   * project, or every cached token with 'all'. A match without attributes forgets nothing.
   */
  forget(match: TokenCacheMatch | 'all'): void {
    if (match === 'all') {
      this.generation++;
      this.cache.clear();
      return;
    }
    if (Object.values(match).every((v) => v === undefined)) return;
    this.generation++;
    this.cache.deleteWhere((t) => tokenMatches(t, match));
  }

  get cachedTokens(): number {
    return this.cache.size;
  }
}
