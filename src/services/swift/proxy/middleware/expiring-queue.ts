/**
 * The queue of objects to expire and its expirer (swift/obj/expirer.py): an object written with
 * X-Delete-At is entered in the hidden account `.expiring_objects`, in the container of its day
 * (expiring_objects_container_divisor = 86400), as `<delete_at>-<account>/<container>/<object>`
 * (a zero-byte object where Swift keeps a container row). `runOnce` deletes every object whose
 * time has come, if it still carries that X-Delete-At (a later write may have changed it), and
 * the entries and emptied day containers with it. Requests go through the proxy as the
 * expirer's own (authorized, `swift.source` EXP, so versioning does not restore anything).
 */
import { randomUUID } from 'node:crypto';
import { RequestContext } from '../../../../common/context.js';
import type { ProxyLog } from '../base.js';
import type { SwiftRequest } from '../request.js';
import { answer, drain, isSuccess, readBody, type Handler } from './pipeline.js';

export const EXPIRING_ACCOUNT = '.expiring_objects';
export const EXPIRER_SOURCE = 'EXP';
const DIVISOR = 86400;

export interface ExpirerStats {
  expired: number;
  skipped: number;
  errors: number;
}

export class ExpiringQueue {
  constructor(private readonly app: Handler, private readonly log: ProxyLog) {}

  private request(method: string, container?: string, object?: string, over: Partial<SwiftRequest> = {}): SwiftRequest {
    return {
      ctx: new RequestContext({ requestId: `req-${randomUUID()}` }), method, account: EXPIRING_ACCOUNT,
      ...(container !== undefined ? { container } : {}), ...(object !== undefined ? { object } : {}),
      query: '', headers: {}, preauthorized: {}, source: EXPIRER_SOURCE, ...over,
    };
  }

  /** Enters an object written with X-Delete-At (its day container made when needed). */
  async add(req: Pick<SwiftRequest, 'account' | 'container' | 'object'>, deleteAt: number): Promise<void> {
    const container = String(Math.floor(deleteAt / DIVISOR) * DIVISOR);
    const name = `${deleteAt}-${req.account}/${req.container}/${req.object}`;
    const put = () => answer(this.app, this.request('PUT', container, name, { headers: { 'content-length': '0', 'content-type': 'text/plain' } }));
    let res = await put();
    if (res.status === 404) {
      const made = await answer(this.app, this.request('PUT', container));
      drain(made);
      res = await put();
    }
    drain(res);
    if (!isSuccess(res.status)) this.log.warn({ name, status: res.status }, 'could not queue an object for the expirer');
  }

  /** The names of a listing, every page. */
  private async list(container?: string): Promise<string[]> {
    const names: string[] = [];
    let marker = '';
    for (;;) {
      const q = new URLSearchParams({ format: 'json', ...(marker ? { marker } : {}) });
      const res = await answer(this.app, this.request('GET', container, undefined, { query: q.toString() }));
      if (res.status === 404 || res.status === 204) {
        drain(res);
        return names;
      }
      if (!isSuccess(res.status)) {
        drain(res);
        throw new Error(`listing of ${EXPIRING_ACCOUNT}/${container ?? ''} answered ${res.status}`);
      }
      const page = JSON.parse((await readBody(res.body)).toString('utf8')) as Array<{ name: string }>;
      if (page.length === 0) return names;
      names.push(...page.map((p) => p.name));
      marker = page.at(-1)!.name;
    }
  }

  /** One pass of the expirer: every entry whose time has come. */
  async runOnce(now = Date.now() / 1000): Promise<ExpirerStats> {
    const stats: ExpirerStats = { expired: 0, skipped: 0, errors: 0 };
    for (const container of await this.list()) {
      if (!/^\d+$/.test(container) || Number(container) > now) continue;
      let left = 0;
      for (const entry of await this.list(container)) {
        const m = /^(\d+)-([^/]+)\/([^/]+)\/(.+)$/s.exec(entry);
        if (!m) continue;
        if (Number(m[1]) > now) {
          left++;
          continue;
        }
        try {
          if (await this.expire(m[1]!, m[2]!, m[3]!, m[4]!)) stats.expired++;
          else stats.skipped++;
          drain(await answer(this.app, this.request('DELETE', container, entry)));
        } catch (err) {
          stats.errors++;
          left++;
          this.log.warn({ entry, err: (err as Error).message }, 'expirer could not delete an object');
        }
      }
      if (left === 0) drain(await answer(this.app, this.request('DELETE', container)));
    }
    return stats;
  }

  /** Deletes the object if it still expires at `deleteAt`; false when it is gone or was rewritten. */
  private async expire(deleteAt: string, account: string, container: string, object: string): Promise<boolean> {
    // a link's own X-Delete-At, not its target's
    const head = await answer(this.app, this.request('HEAD', container, object, { account, query: 'symlink=get' }));
    drain(head);
    if (head.status === 404) return false;
    if (!isSuccess(head.status)) throw new Error(`HEAD answered ${head.status}`);
    if (head.headers['x-delete-at'] !== deleteAt) return false;
    const del = await answer(this.app, this.request('DELETE', container, object, { account }));
    drain(del);
    if (del.status === 404) return false;
    if (!isSuccess(del.status)) throw new Error(`DELETE answered ${del.status}`);
    return true;
  }
}
