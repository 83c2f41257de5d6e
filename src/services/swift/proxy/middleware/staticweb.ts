/**
 * Static web sites from containers (swift/common/middleware/staticweb.py), for anonymous GET
 * and HEAD requests (or any with X-Web-Mode: true) on a container the public may read:
 *  - X-Container-Meta-Web-Index: the container (and each pseudo-directory) answers with that
 *    object; a path without its trailing '/' is redirected to it;
 *  - X-Container-Meta-Web-Listings: true: without an index, an HTML listing (styled by
 *    X-Container-Meta-Web-Listings-CSS);
 *  - X-Container-Meta-Web-Error: an error answers with the object `<status><web-error>` as its body.
 */
import { NotFound, NuboError } from '../../../../common/errors.js';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { answer, drain, pathInfo, isSuccess, readBody, subrequest, type Handler, type Middleware } from './pipeline.js';

const TRUE = new Set(['true', '1', 'yes', 'on', 't', 'y']);
const SOURCE = 'SW';

interface WebConfig {
  index: string;
  error: string;
  listings: string;
  css: string;
  label: string;
  dirType: string;
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;');
/** python's quote() (safe '/'), '.' escaped as staticweb does in links. */
const quoteLink = (s: string): string => s.split('/').map((p) => encodeURIComponent(p).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/').replace(/\./g, '%2E');

/** python's round(): halves to the even neighbour. */
const roundHalfEven = (x: number): number => {
  const r = Math.round(x);
  return x % 1 === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

/** swift.common.utils.human_readable: 1024 → '1Ki'. */
export function humanReadable(n: number): string {
  let value = n;
  let index = -1;
  const suffixes = 'KMGTPEZY';
  while (value >= 1024 && index + 1 < suffixes.length) {
    index++;
    value = roundHalfEven(value / 1024);
  }
  return index === -1 ? String(Math.trunc(value)) : `${value}${suffixes[index]}i`;
}

export class StaticWeb implements Middleware {
  readonly name = 'staticweb';

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.container === undefined || req.source !== undefined) return next(req);
    const webMode = TRUE.has((headerOf(req.headers, 'x-web-mode') ?? 'f').toLowerCase());
    if ((req.ctx.auth || req.preauthorized) && !webMode) return next(req);
    const info = await pathInfo(req, next, SOURCE, req.container);
    const meta = (k: string) => (isSuccess(info.status) ? (info.headers[`x-container-meta-web-${k}`] ?? '').trim() : '');
    const web: WebConfig = { index: meta('index'), error: meta('error'), listings: meta('listings'), css: meta('listings-css'), label: meta('listings-label'), dirType: meta('directory-type') || 'application/directory' };
    return req.object === undefined || req.object === '' ? this.container(req, next, web, webMode) : this.object(req, next, web);
  }

  private path(req: SwiftRequest): string {
    return req.rawPath ?? `${req.mount ?? ''}/v1/${req.account}/${req.container}${req.object !== undefined ? `/${req.object}` : ''}`;
  }

  private redirectWithSlash(req: SwiftRequest): ProxyResult {
    const location = `${this.path(req)}/`;
    return { status: 301, headers: { location, 'content-type': 'text/html; charset=UTF-8' }, body: `<html><h1>Moved Permanently</h1><p>The resource has moved to ${escapeHtml(location)}.</p></html>` };
  }

  private get(req: SwiftRequest, next: Handler, object: string): Promise<ProxyResult> {
    return answer(next, subrequest(req, SOURCE, { method: req.method, container: req.container!, object, headers: { ...req.headers } }));
  }

  private async container(req: SwiftRequest, next: Handler, web: WebConfig, webMode: boolean): Promise<ProxyResult> {
    if (!TRUE.has(web.listings.toLowerCase()) && !web.index) {
      if (webMode) return { status: 404, headers: {}, body: '' };
      return next(req);
    }
    if (!this.path(req).endsWith('/')) return this.redirectWithSlash(req);
    if (!web.index) return this.listing(req, next, web, '');
    const res = await this.get(req, next, web.index);
    if (res.status === 404) {
      drain(res);
      return this.listing(req, next, web, '');
    }
    if (!isSuccess(res.status) && !(res.status >= 300 && res.status < 400)) return this.errorResponse(req, next, web, res.status, () => res);
    return { ...res, generator: 'staticweb' };
  }

  private async object(req: SwiftRequest, next: Handler, web: WebConfig): Promise<ProxyResult> {
    const object = req.object!;
    let missing: NuboError | undefined;
    try {
      const res = await next(req);
      const isDirMarker = res.headers['content-type'] === web.dirType && Number(res.headers['content-length'] ?? 0) <= 1;
      if (res.status !== 404 && !isDirMarker) return res;
      drain(res);
    } catch (err) {
      if (!(err instanceof NuboError) || err.status !== 404) throw err;
      missing = err;
    }
    const notFound = (): never => {
      throw missing ?? new NotFound();
    };
    if (!TRUE.has(web.listings.toLowerCase()) && !web.index) return notFound();
    if (web.index) {
      const res = await this.get(req, next, `${object.endsWith('/') ? object : `${object}/`}${web.index}`);
      if (isSuccess(res.status) || (res.status >= 300 && res.status < 400)) {
        if (!this.path(req).endsWith('/')) {
          drain(res);
          return this.redirectWithSlash(req);
        }
        return res;
      }
      if (res.status !== 404) return this.errorResponse(req, next, web, res.status, () => res);
      drain(res);
    }
    if (!this.path(req).endsWith('/')) {
      const q = new URLSearchParams({ format: 'json', limit: '1', delimiter: '/', prefix: `${object}/` });
      const list = await answer(next, subrequest(req, SOURCE, { method: 'GET', container: req.container!, query: q.toString() }));
      const body = isSuccess(list.status) ? (await readBody(list.body)).toString('utf8') : (drain(list), '');
      if (!body || (JSON.parse(body) as unknown[]).length === 0) return this.errorResponse(req, next, web, 404, notFound);
      return this.redirectWithSlash(req);
    }
    return this.listing(req, next, web, object);
  }

  /** The error `status`, with the body of `<status><web-error>` when the container names one, else `fallback`. */
  private async errorResponse(req: SwiftRequest, next: Handler, web: WebConfig, status: number, fallback: () => ProxyResult): Promise<ProxyResult> {
    if (!web.error) return fallback();
    const page = await answer(next, subrequest(req, SOURCE, { method: 'GET', container: req.container!, object: `${status}${web.error}` }));
    if (!isSuccess(page.status)) {
      drain(page);
      return fallback();
    }
    return { ...page, status };
  }

  private cssPath(web: WebConfig, prefix: string): string {
    if (/^(\/|https?:\/\/)/.test(web.css)) return encodeURI(web.css);
    return '../'.repeat((prefix.match(/\//g) ?? []).length) + encodeURIComponent(web.css).replace(/%2F/g, '/');
  }

  private async listing(req: SwiftRequest, next: Handler, web: WebConfig, prefix: string): Promise<ProxyResult> {
    const path = `/v1/${req.account}/${req.container}/${prefix}`;
    const label = web.label ? `${web.label}/${prefix}` : path;
    if (!TRUE.has(web.listings.toLowerCase())) {
      let body = `<!DOCTYPE html>\n<html>\n<head>\n<title>Listing of ${escapeHtml(label)}</title>\n`;
      body += web.css ? `  <link rel="stylesheet" type="text/css" href="${this.cssPath(web, prefix)}" />\n`
        : '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n   p {font-size: 2}\n  </style>\n';
      body += '</head>\n<body>  <h1>Web Listing Disabled</h1>   <p>The owner of this web site has disabled web listing.   <p>If you are the owner of this web site, you can enable   web listing by setting X-Container-Meta-Web-Listings.</p>';
      if (web.index) body += `<h1>Index File Not Found</h1> <p>The owner of this web site has set  <b>X-Container-Meta-Web-Index: ${escapeHtml(web.index)}</b>.  However, this file is not found.</p>`;
      body += ' </body>\n</html>\n';
      return this.errorResponse(req, next, web, 404, () => ({ status: 404, headers: { 'content-type': 'text/html; charset=UTF-8' }, body }));
    }
    const q = new URLSearchParams({ format: 'json', delimiter: '/', ...(prefix ? { prefix } : {}) });
    const res = await answer(next, subrequest(req, SOURCE, { method: 'GET', container: req.container!, query: q.toString() }));
    if (!isSuccess(res.status)) return this.errorResponse(req, next, web, res.status, () => res);
    const text = (await readBody(res.body)).toString('utf8');
    const items = (text ? JSON.parse(text) : []) as Array<{ subdir?: string; name?: string; bytes?: number; content_type?: string; last_modified?: string }>;
    if (prefix && items.length === 0) return this.errorResponse(req, next, web, 404, () => { throw new NotFound(); });
    let body = `<!DOCTYPE html>\n<html>\n <head>\n  <title>Listing of ${escapeHtml(label)}</title>\n`;
    body += web.css ? `  <link rel="stylesheet" type="text/css" href="${this.cssPath(web, prefix)}" />\n`
      : '  <style type="text/css">\n   h1 {font-size: 1em; font-weight: bold;}\n   th {text-align: left; padding: 0px 1em 0px 1em;}\n   td {padding: 0px 1em 0px 1em;}\n   a {text-decoration: none;}\n  </style>\n';
    body += ` </head>\n <body>\n  <h1 id="title">Listing of ${escapeHtml(label)}</h1>\n  <table id="listing">\n   <tr id="heading">\n    <th class="colname">Name</th>\n    <th class="colsize">Size</th>\n    <th class="coldate">Date</th>\n   </tr>\n`;
    if (prefix) body += '   <tr id="parent" class="item">\n    <td class="colname"><a href="../">../</a></td>\n    <td class="colsize">&nbsp;</td>\n    <td class="coldate">&nbsp;</td>\n   </tr>\n';
    for (const item of items) {
      if (item.subdir === undefined) continue;
      const sub = item.subdir.slice(prefix.length);
      body += `   <tr class="item subdir">\n    <td class="colname"><a href="./${quoteLink(sub)}">${escapeHtml(sub)}</a></td>\n    <td class="colsize">&nbsp;</td>\n    <td class="coldate">&nbsp;</td>\n   </tr>\n`;
    }
    for (const item of items) {
      if (item.name === undefined) continue;
      const name = item.name.slice(prefix.length);
      const types = (item.content_type ?? '').split('/').map((t) => `type-${escapeHtml(t.toLowerCase())}`).join(' ');
      const date = escapeHtml(item.last_modified ?? '').split('.')[0]!.replace('T', ' ');
      body += `   <tr class="item ${types}">\n    <td class="colname"><a href="./${quoteLink(name)}">${escapeHtml(name)}</a></td>\n    <td class="colsize">${humanReadable(item.bytes ?? 0)}</td>\n    <td class="coldate">${date}</td>\n   </tr>\n`;
    }
    body += '  </table>\n </body>\n</html>\n';
    return { status: 200, headers: { 'content-type': 'text/html; charset=UTF-8' }, body, generator: 'staticweb' };
  }
}
