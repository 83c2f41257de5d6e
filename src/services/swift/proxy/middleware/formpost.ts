/**
 * Form POST (swift/common/middleware/formpost.py): a browser uploads files straight into a
 * container with a multipart/form-data POST to /v1/<account>/<container>[/<prefix>] whose
 * fields carry `redirect`, `max_file_size`, `max_file_count`, `expires` and `signature` (the
 * HMAC of `<path>\n<redirect>\n<max_file_size>\n<max_file_count>\n<expires>` under one of the
 * account's or container's Temp-URL keys), and optionally x_delete_at / x_delete_after. Each
 * file is PUT, streamed, as <prefix><filename>. The answer is the status (or a 303 to
 * `redirect` with status and message); a bad signature or an expired form answers 401.
 */
import { Transform, type Readable } from 'node:stream';
import type { ProxyResult } from '../base.js';
import { headerOf, type SwiftRequest } from '../request.js';
import { formParts } from './form-parts.js';
import { answer, readBody, type Handler, type Middleware } from './pipeline.js';
import { statusLine } from './result-body.js';
import { ALLOWED_DIGESTS, DEPRECATED_DIGESTS, matchSignature, parseSignature, signedPaths, tempUrlKeys, type ScopedKey } from './signature.js';

class FormError extends Error {
  constructor(readonly status: 400 | 401, message: string) {
    super(message);
  }
}

const title = (s: string): string => s.replace(/\b\w/g, (c) => c.toUpperCase());

/** A file's stream cut at max_file_size: `exceeded` tells whether it was longer. */
function capped(stream: Readable, max: number): { body: Transform; exceeded: () => boolean } {
  let n = 0;
  let over = false;
  const body = new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length;
      if (n > max) {
        over = true;
        done(new Error('max_file_size exceeded'));
        return;
      }
      done(null, chunk);
    },
  });
  stream.on('error', (e) => body.destroy(e));
  body.on('error', () => undefined); // the PUT reading it fails, and says so
  stream.pipe(body);
  return { body, exceeded: () => over };
}

export class FormPost implements Middleware {
  readonly name = 'formpost';

  info(): Record<string, unknown> {
    return { allowed_digests: [...ALLOWED_DIGESTS], deprecated_digests: DEPRECATED_DIGESTS };
  }

  /** `app`: the whole proxy, for the keys and the uploads. */
  constructor(private readonly app: Handler) {}

  async handle(req: SwiftRequest, next: Handler): Promise<ProxyResult> {
    const ct = headerOf(req.headers, 'content-type') ?? '';
    if (req.method !== 'POST' || req.container === undefined || !/^multipart\/form-data\s*;/i.test(ct) || !/boundary=/i.test(ct)) return next(req);
    try {
      return await this.translate(req, ct);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      const body = err.status === 401 ? `FormPost: ${title(err.message)}` : `FormPost: ${err.message}`;
      return { status: err.status, headers: { 'content-type': 'text/plain' }, body };
    }
  }

  private async translate(req: SwiftRequest, contentType: string): Promise<ProxyResult> {
    const keys = await tempUrlKeys(this.app, req.account, req.container, 'FP');
    const attributes: Record<string, string> = {};
    let status = 0;
    let message = '';
    let failedBody: string | undefined;
    let files = 0;
    try {
      for await (const part of formParts(req.body!, contentType)) {
        if (part.kind === 'field' || !part.filename) {
          if (part.kind === 'file') {
            attributes[part.name.toLowerCase()] = (await readBody(part.stream, 4096 * 4)).toString('utf8').slice(0, 4096);
          } else attributes[part.name.toLowerCase()] = part.value.replace(/[\r\n-]+$/, '');
          continue;
        }
        files++;
        const maxCount = attributes.max_file_count || '0';
        if (!/^\d+$/.test(maxCount)) throw new FormError(400, 'max_file_count not an integer');
        if (files > Number(maxCount)) {
          part.stream.resume();
          status = 400;
          message = 'max file count exceeded';
          break;
        }
        const res = await this.upload(req, { ...attributes, filename: part.filename, ...(attributes['content-type'] === undefined ? { 'content-type': part.mimeType } : {}) }, part.stream, keys);
        status = res.status;
        if (status < 200 || status >= 300) {
          failedBody = res.body;
          break;
        }
      }
    } catch (err) {
      if (err instanceof FormError) throw err;
      throw new FormError(400, (err as Error).message.includes('boundary') ? 'invalid starting boundary' : (err as Error).message);
    }
    if (!status) {
      status = 400;
      message = 'no files to process';
    }
    const redirect = attributes.redirect;
    if (!redirect) {
      let body = statusLine(status);
      if (message) body += `\r\nFormPost: ${title(message)}`;
      if ((status < 200 || status >= 300) && failedBody) body = failedBody;
      return { status, headers: { 'content-type': 'text/plain' }, body };
    }
    const location = `${redirect}${redirect.includes('?') ? '&' : '?'}status=${status}&message=${encodeURIComponent(message)}`;
    const body = `<html><body><p><a href="${location}">Click to continue...</a></p></body></html>`;
    return { status: 303, headers: { location, 'content-type': 'text/html; charset=UTF-8' }, body };
  }

  /** One file: the form's signature checked, then the PUT. */
  private async upload(req: SwiftRequest, attrs: Record<string, string>, stream: Readable, keys: ScopedKey[]): Promise<{ status: number; body?: string }> {
    if (keys.length === 0) throw new FormError(401, 'invalid signature');
    const maxSize = attrs.max_file_size || '0';
    if (!/^\d+$/.test(maxSize)) throw new FormError(400, 'max_file_size not an integer');
    const headers: Record<string, string> = { 'transfer-encoding': 'chunked', 'content-type': attrs['content-type'] || 'application/octet-stream' };
    if (attrs.x_delete_at !== undefined) {
      if (!/^-?\d+$/.test(attrs.x_delete_at.trim())) throw new FormError(400, 'x_delete_at not an integer: Unix timestamp required.');
      headers['x-delete-at'] = attrs.x_delete_at.trim();
    }
    if (attrs.x_delete_after !== undefined) {
      if (!/^-?\d+$/.test(attrs.x_delete_after.trim())) throw new FormError(400, 'x_delete_after not an integer: Number of seconds required.');
      headers['x-delete-after'] = attrs.x_delete_after.trim();
    }
    const expires = attrs.expires || '0';
    if (!/^-?\d+$/.test(expires)) throw new FormError(400, 'expired not an integer');
    if (Number(expires) < Date.now() / 1000) throw new FormError(401, 'form expired');
    const sig = parseSignature(attrs.signature ?? '');
    if (!sig) throw new FormError(401, 'invalid signature');
    const path = `/v1/${req.account}/${req.container}${req.object !== undefined ? `/${req.object}` : ''}`;
    const messages = signedPaths(req, path).map((p) => `${p}\n${attrs.redirect ?? ''}\n${maxSize}\n${attrs.max_file_count || '0'}\n${expires}`);
    const scope = matchSignature(sig, keys, messages);
    if (!scope) throw new FormError(401, 'invalid signature');
    const { body, exceeded } = capped(stream, Number(maxSize));
    const res = await answer(this.app, {
      ctx: req.ctx, method: 'PUT', account: req.account, container: req.container!, object: `${req.object ?? ''}${attrs.filename || 'filename'}`,
      query: '', headers, body, source: 'FP', preauthorized: { account: req.account, ...(scope === 'container' ? { container: req.container! } : {}) },
    });
    const text = (await readBody(res.body).catch(() => Buffer.alloc(0))).toString('utf8');
    if (exceeded()) throw new FormError(400, 'max_file_size exceeded');
    return { status: res.status, body: text };
  }
}
