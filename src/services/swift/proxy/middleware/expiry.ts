/**
 * Object expiry on the proxy's side (swift/proxy/controllers/obj.py _config_obj_expiration and
 * the object server's expiry check): X-Delete-After becomes X-Delete-At; a time in the past or
 * not an integer is refused (400); an object whose X-Delete-At has passed answers 404 although
 * the expirer has not removed it yet; and every PUT or POST that sets X-Delete-At queues the
 * object for the expirer (expiring-queue.ts).
 */
import { BadRequest, NotFound } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { EXPIRER_SOURCE, type ExpiringQueue } from './expiring-queue.js';
import { drain, isSuccess, type Handler, type Middleware } from './pipeline.js';

const nowSeconds = (): number => Date.now() / 1000;

/** Whether an object with these headers is past its X-Delete-At. */
export function isExpired(headers: Record<string, string>, now = nowSeconds()): boolean {
  const at = headers['x-delete-at'];
  return at !== undefined && /^\d+$/.test(at) && Number(at) <= now;
}

/** The X-Delete-At a write asks for (X-Delete-After turned into it), checked; undefined when it sets none. @throws BadRequest */
export function deleteAtOf(req: SwiftRequest, now = nowSeconds()): number | undefined {
  const after = headerOf(req.headers, 'x-delete-after');
  if (after !== undefined) {
    if (!/^-?\d+$/.test(after.trim())) throw new BadRequest('Non-integer X-Delete-After');
    const n = Number(after.trim());
    if (n < 0) throw new BadRequest('X-Delete-After in past');
    return Math.floor(now + n);
  }
  const at = headerOf(req.headers, 'x-delete-at');
  if (at === undefined) return undefined;
  if (!/^-?\d+$/.test(at.trim())) throw new BadRequest('Non-integer X-Delete-At');
  const n = Number(at.trim());
  if (n < now) throw new BadRequest('X-Delete-At in past');
  return n;
}

export class ObjectExpiry implements Middleware {
  constructor(private readonly queue: ExpiringQueue) {}

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    // the expirer itself sees expired objects
    if (req.object === undefined || req.object === '' || req.source === EXPIRER_SOURCE) return next(req);
    if (req.method === 'GET' || req.method === 'HEAD') {
      const result = await next(req);
      if (isSuccess(result.status) && isExpired(result.headers)) {
        drain(result);
        throw new NotFound();
      }
      return result;
    }
    if (req.method !== 'PUT' && req.method !== 'POST') return next(req);
    const deleteAt = deleteAtOf(req);
    if (deleteAt === undefined) return next(req);
    const { 'x-delete-after': _after, ...headers } = req.headers;
    const result = await next({ ...req, headers: { ...headers, 'x-delete-at': String(deleteAt) } });
    if (isSuccess(result.status)) await this.queue.add(req, deleteAt);
    return result;
  }
}
