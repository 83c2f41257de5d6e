/**
 * Token validation over HTTP (scale-out mode): GET /v3/auth/tokens with the service's own
 * token, cached in a bounded LRU for `cacheSeconds` (keystonemiddleware's token_cache_time).
 * Entries never outlive the token itself. `forget()` drops cached tokens when a revocation
 * notification arrives.
 */
import { TtlLru } from '../cache/ttl-lru.js';
import { ServiceClientError, type ServiceSession } from '../clients/session.js';
import { Unauthorized } from '../errors.js';
import { tokenInfoFromBody, type KeystoneTokenBody } from './token-body.js';
import type { TokenInfo, TokenValidator } from './token-info.js';

export interface HttpValidatorOptions {
  cacheSize?: number;
  cacheSeconds?: number;
}

export class HttpTokenValidator implements TokenValidator {
  private readonly cache: TtlLru<string, TokenInfo>;

  constructor(private readonly session: ServiceSession, opts: HttpValidatorOptions = {}) {
    this.cache = new TtlLru(opts.cacheSize ?? 10_000, (opts.cacheSeconds ?? 300) * 1000);
  }

  async validate(token: string, opts: { allowExpired?: boolean } = {}): Promise<TokenInfo> {
    if (!opts.allowExpired) {
      const hit = this.cache.get(token);
      if (hit) return hit;
    }
    let res;
    try {
      res = await this.session.request<{ token: KeystoneTokenBody }>('identity', 'GET', `/auth/tokens${opts.allowExpired ? '?allow_expired=1' : ''}`, {
        headers: { 'x-subject-token': token },
      });
    } catch (err) {
      if (err instanceof ServiceClientError && (err.status === 404 || err.status === 401)) throw new Unauthorized('The token is not valid.');
      throw err;
    }
    const info = tokenInfoFromBody(res.body.token);
    if (!opts.allowExpired) this.cache.set(token, info, Date.parse(info.expiresAt) - Date.now());
    return info;
  }

  /** Forget cached tokens matching a revocation (by audit id, user or project). */
  forget(match: { auditId?: string; userId?: string; projectId?: string }): void {
    this.cache.deleteWhere((t) =>
      (match.auditId !== undefined && t.auditIds.includes(match.auditId))
      || (match.userId !== undefined && t.userId === match.userId)
      || (match.projectId !== undefined && t.projectId === match.projectId));
  }
}
