/**
 * Glance's error pages: webob's HTTPException bodies, chosen by the Accept header exactly as
 * webob 1.8 does (text/html for browsers and `*\/*`, JSON for `application/json`, plain text
 * otherwise or without Accept), and keystonemiddleware's JSON body for 401.
 */
import type { FastifyRequest } from 'fastify';
import type { NuboError } from '../../../common/errors.js';
import type { RenderedFault } from '../../../common/http/faults.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  415: 'Unsupported Media Type', 416: 'Request Range Not Satisfiable', 500: 'Internal Server Error', 501: 'Not Implemented',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** An error with a webob `detail` (shown after the explanation). */
interface WithDetail {
  detail?: string;
}

type Flavor = 'plain' | 'html' | 'json';

/** The q-value an Accept header gives a media type (its most specific matching range). */
function qualityOf(accept: string, type: string): number {
  const [family] = type.split('/');
  let best = { specificity: -1, q: 0 };
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const r = range.trim();
    const specificity = r === type ? 2 : r === `${family}/*` ? 1 : r === '*/*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    best = { specificity, q: Number.isFinite(q) ? q : 0 };
  }
  return best.q;
}

/** webob's acceptable_offers(['text/html', 'application/json']) on an Accept header. */
export function negotiate(accept: string | undefined): Flavor {
  if (accept === undefined || accept.trim() === '') return 'plain';
  const html = qualityOf(accept, 'text/html');
  const json = qualityOf(accept, 'application/json');
  if (html <= 0 && json <= 0) return 'plain';
  return json > html ? 'json' : 'html';
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Render a webob error page. `contentType` is the request's, used by the 415 text. */
export function renderWebob(err: NuboError, flavor: Flavor, requestContentType = 'application/octet-stream'): RenderedFault {
  const title = TITLES[err.status] ?? err.title;
  const status = `${err.status} ${title}`;
  const detail = (err as NuboError & WithDetail).detail ?? '';
  let explanation = err.message;
  let raw: string;
  if (err.status === 415 && detail) {
    explanation = `The request media type ${requestContentType} is not supported by this server.`;
    raw = `${explanation}\n<br /><br />\n${detail}`;
  } else {
    raw = `${explanation}<br /><br />\n${detail}\n\n`;
  }
  if (flavor === 'json') {
    return { body: JSON.stringify({ message: raw, code: status, title }), contentType: 'application/json' };
  }
  if (flavor === 'html') {
    const body = err.status === 415 && detail
      ? `${escapeHtml(explanation)}\n<br /><br />\n${escapeHtml(detail)}`
      : `${escapeHtml(explanation)}<br /><br />\n${escapeHtml(detail)}\n\n`;
    return {
      body: `<html>\n <head>\n  <title>${status}</title>\n </head>\n <body>\n  <h1>${status}</h1>\n  ${body}\n </body>\n</html>`,
      contentType: 'text/html; charset=UTF-8',
    };
  }
  const plain = raw.replace(/\n/g, ' ').replace(/\r/g, '').replace(/<br.*?>/gi, '\n').replace(/<!--|-->/g, '').replace(/<[^<>]*>/g, '');
  return { body: `${status}\n\n${plain}`, contentType: 'text/plain; charset=UTF-8' };
}

/** keystonemiddleware's 401 body. */
function renderUnauthorized(err: NuboError): RenderedFault {
  return {
    body: JSON.stringify({ error: { code: 401, title: 'Unauthorized', message: err.message } }),
    contentType: 'application/json',
  };
}

/** Glance's fault renderer: keystonemiddleware's 401, webob's pages negotiated on Accept otherwise. */
export function glanceFault(err: NuboError, req: FastifyRequest): RenderedFault {
  return err.status === 401
    ? renderUnauthorized(err)
    : renderWebob(err, negotiate(req.headers.accept), String(req.headers['content-type'] ?? 'None'));
}
