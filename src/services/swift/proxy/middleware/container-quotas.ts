/**
 * Container quotas (swift/common/middleware/container_quotas.py): X-Container-Meta-Quota-Bytes
 * and X-Container-Meta-Quota-Count, set by anyone who may write the container's metadata, must
 * be integers; an object upload that would take the container over either answers 413.
 */
import { BadRequest } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { pathInfo, type Handler, type Middleware } from './pipeline.js';
import { isObjectUpload, overQuota, quotaValue, uploadLength } from './quota-check.js';

export class ContainerQuotas implements Middleware {
  readonly name = 'container_quotas';

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const isContainer = req.container !== undefined && (req.object === undefined || req.object === '');
    if (isContainer && (req.method === 'PUT' || req.method === 'POST')) {
      if (quotaValue(headerOf(req.headers, 'x-container-meta-quota-bytes')) === 'invalid') throw new BadRequest('Invalid bytes quota.');
      if (quotaValue(headerOf(req.headers, 'x-container-meta-quota-count')) === 'invalid') throw new BadRequest('Invalid count quota.');
      return next(req);
    }
    if (!isObjectUpload(req) || req.source === 'VW') return next(req);
    const info = await pathInfo(req, next, 'CQ', req.container!);
    if (info.status >= 200 && info.status < 300) {
      const bytes = quotaValue(info.headers['x-container-meta-quota-bytes']);
      if (typeof bytes === 'number' && Number(info.headers['x-container-bytes-used'] ?? 0) + uploadLength(req) > bytes) throw overQuota();
      const count = quotaValue(info.headers['x-container-meta-quota-count']);
      if (typeof count === 'number' && Number(info.headers['x-container-object-count'] ?? 0) + 1 > count) throw overQuota();
    }
    return next(req);
  }
}
