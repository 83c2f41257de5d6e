/**
 * The one place where any thrown thing becomes an HTTP error: typed NuboErrors keep their
 * status; Fastify's own errors (validation, body too large, bad JSON, bad media type) and
 * RPC RemoteErrors carrying a status are mapped; everything else is a logged 500.
 */
import type { FastifyError } from 'fastify';
import {
  BadRequest, InternalError, NotFound, NuboError, PayloadTooLarge, UnsupportedMediaType,
} from '../errors.js';

const FASTIFY_CODES: Record<string, (e: FastifyError) => NuboError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new PayloadTooLarge(),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => new UnsupportedMediaType(e.message),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new BadRequest('Invalid Content-Length.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new BadRequest('The request you have made requires a valid body.'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new BadRequest('Malformed request body: invalid JSON.'),
  FST_ERR_NOT_FOUND: () => new NotFound(),
  FST_ERR_BAD_URL: () => new BadRequest('Malformed URL.'),
};

export function toNuboError(err: unknown): NuboError {
  if (err instanceof NuboError) return err;
  const fe = err as Partial<FastifyError> & { validation?: unknown; status?: unknown; excType?: unknown };
  if (fe && typeof fe === 'object') {
    if (fe.validation) return new BadRequest(validationMessage(fe as FastifyError));
    const byCode = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (byCode) return byCode(fe as FastifyError);
    if (err instanceof SyntaxError) return new BadRequest(`Malformed request body: ${err.message}`);
    // A RemoteError from an RPC call keeps the status of the remote NuboError.
    const status = typeof fe.status === 'number' ? fe.status : fe.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return new NuboError(status, titleFor(status), String(fe.message ?? ''), { cause: err });
    }
  }
  return new InternalError(undefined, { cause: err });
}

function validationMessage(e: FastifyError): string {
  const v = (e as FastifyError & { validation: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>; validationContext?: string }).validation;
  const first = Array.isArray(v) ? v[0] : undefined;
  if (!first) return e.message;
  const where = first.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
  let detail = first.message ?? 'is invalid';
  if (first.params && 'additionalProperty' in first.params) detail = `Additional properties are not allowed ('${String(first.params.additionalProperty)}' was unexpected)`;
  return where ? `Invalid input for field '${where}': ${detail}` : `Invalid input: ${detail}`;
}

function titleFor(status: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Request Entity Too Large' } as Record<number, string>)[status] ?? 'Error';
}
