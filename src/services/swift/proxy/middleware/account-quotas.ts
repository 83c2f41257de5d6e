/**
 * Account quotas (swift/common/middleware/account_quotas.py): X-Account-Meta-Quota-Bytes is set
 * (or removed) by the reseller admin only, as a non-negative integer; an object upload that
 * would take the account over it answers 413.
 */
import { BadRequest, Forbidden } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { pathInfo, type Handler, type Middleware } from './pipeline.js';
import { isObjectUpload, overQuota, quotaValue, uploadLength } from './quota-check.js';

export class AccountQuotas implements Middleware {
  readonly name = 'account_quotas';

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if (req.container === undefined && (req.method === 'POST' || req.method === 'PUT')) {
      const value = headerOf(req.headers, 'x-account-meta-quota-bytes');
      const removes = headerOf(req.headers, 'x-remove-account-meta-quota-bytes') !== undefined;
      if (value === undefined && !removes) return next(req);
      if (req.access !== 'reseller_admin') throw new Forbidden();
      if (quotaValue(value) === 'invalid') throw new BadRequest('Invalid quota value');
      return next(req);
    }
    if (!isObjectUpload(req) || req.source === 'VW') return next(req);
    const info = await pathInfo(req, next, 'AQ');
    if (info.status >= 200 && info.status < 300) {
      const quota = quotaValue(info.headers['x-account-meta-quota-bytes']);
      if (typeof quota === 'number' && Number(info.headers['x-account-bytes-used'] ?? 0) + uploadLength(req) > quota) throw overQuota();
    }
    return next(req);
  }
}
