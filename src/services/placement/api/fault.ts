/**
 * Placement's error bodies: webob's HTTPException pages passed through placement's
 * json_error_formatter (placement/util.py), i.e. the API-WG form
 * `{"errors": [{"status", "title", "detail", "code" (1.23+), "request_id"}]}` where detail is
 * webob's "<explanation>\n\n <detail>  " text; a 406 from microversion negotiation adds
 * min_version and max_version. Like webob, the body follows the Accept header (HTML or plain
 * text when those are preferred; JSON when Accept is absent or `*\/*`, as placement's request
 * log middleware arranges). A 401 is keystonemiddleware's own body.
 */
import type { FastifyRequest } from 'fastify';
import type { NuboError } from '../../../common/errors.js';
import type { RenderedFault } from '../../../common/http/faults.js';
import { ErrorCode, HttpError } from '../errors.js';
import { bestMatch } from './accept.js';
import { type APIVersion, MAX_VERSION, MIN_VERSION } from './microversion.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The negotiated placement microversion (unset when negotiation failed). */
    placementVersion: APIVersion | null;
  }
}

/** webob's class-level explanations by status. */
const EXPLANATIONS: Record<number, string> = {
  400: 'The server could not comply with the request since it is either malformed or otherwise incorrect.',
  401: 'This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.',
  403: 'Access was denied to this resource.',
  404: 'The resource could not be found.',
  409: 'There was a conflict when trying to complete your request.',
  413: 'The body of your request was too large for this server.',
  500: 'The server has either erred or is incapable of performing the requested operation.',
  503: 'The server is currently unavailable. Please try again at a later time.',
};
const DEFAULT_EXPLANATION = EXPLANATIONS[400]!;

/** webob's body template of the status, with the request values some of them name. */
function bodyTemplate(status: number, req: FastifyRequest): (explanation: string, detail: string) => string {
  switch (status) {
    case 405: return (_e, d) => `The method ${req.method} is not allowed for this resource. <br /><br />\n${d}`;
    case 406: return (_e, d) => `The resource could not be generated that was acceptable to your browser\n(content of type ${acceptOf(req)}. <br /><br />\n${d}`;
    case 415: return (_e, d) => `The request media type ${contentTypeOf(req)} is not supported by this server.\n<br /><br />\n${d}`;
    default: return (e, d) => `${e}<br /><br />\n${d}\n\n`;
  }
}

/** The Accept value the handlers see: placement's request log makes a missing or `*\/*` one JSON. */
export function acceptOf(req: FastifyRequest): string {
  const accept = req.headers.accept;
  return accept === undefined || accept.trim() === '' || accept.trim() === '*/*' ? 'application/json' : accept;
}

function contentTypeOf(req: FastifyRequest): string {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
  return type === '' ? 'None' : type;
}

/** webob.exc.strip_tags. */
function stripTags(value: string): string {
  return value.replace(/\n/g, ' ').replace(/\r/g, '').replace(/<br.*?>/gis, '\n').replace(/<!--|-->/g, '').replace(/<.*?>/gs, '');
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The webob detail of an error: its message, or nothing when it only repeats the explanation. */
function detailOf(err: NuboError): string {
  if (err instanceof HttpError) return err.message;
  return err.message === EXPLANATIONS[err.status] ? '' : err.message;
}

/** keystonemiddleware's 401 body. */
function unauthorized(err: NuboError): RenderedFault {
  return { body: JSON.stringify({ error: { code: 401, title: 'Unauthorized', message: err.message } }), contentType: 'application/json' };
}

export function placementFault(err: NuboError, req: FastifyRequest): RenderedFault {
  if (err.status === 401) return unauthorized(err);
  const template = bodyTemplate(err.status, req);
  const explanation = EXPLANATIONS[err.status] ?? DEFAULT_EXPLANATION;
  const detail = detailOf(err);
  const status = `${err.status} ${err.title}`;
  const flavor = bestMatch(acceptOf(req), ['text/html', 'application/json'], 'text/plain');
  if (flavor === 'text/html') {
    const body = template(escapeHtml(explanation), escapeHtml(detail));
    return {
      body: `<html>\n <head>\n  <title>${status}</title>\n </head>\n <body>\n  <h1>${status}</h1>\n  ${body}\n </body>\n</html>`,
      contentType: 'text/html; charset=UTF-8',
    };
  }
  const text = stripTags(template(explanation, detail));
  if (flavor !== 'application/json') return { body: `${status}\n\n${text}`, contentType: 'text/plain; charset=UTF-8' };
  const version = req.placementVersion ?? null;
  const error: Record<string, unknown> = { status: err.status, title: err.title, detail: text };
  if (version && version.atLeast('1.23')) error['code'] = (err instanceof HttpError ? err.code : undefined) ?? ErrorCode.DEFAULT;
  error['request_id'] = req.id;
  if (err.status === 406 && !version) {
    error['max_version'] = MAX_VERSION;
    error['min_version'] = MIN_VERSION;
  }
  return { body: JSON.stringify({ errors: [error] }), contentType: 'application/json' };
}
