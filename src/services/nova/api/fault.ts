/**
 * Nova's error body (nova/api/openstack/wsgi.py's Fault): the key names the status
 * (`{"itemNotFound": {"code": 404, "message": "..."}}`), `computeFault` for any status
 * without a name (406, 500...), and `retryAfter` on 413/429 when a Retry-After header is set.
 */
import type { NuboError } from '../../../common/errors.js';
import type { RenderedFault } from '../../../common/http/faults.js';

const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod',
  409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType', 429: 'overLimit',
  501: 'notImplemented', 503: 'serviceUnavailable',
};

export function novaFault(err: NuboError): RenderedFault {
  const name = FAULT_NAMES[err.status] ?? 'computeFault';
  const fault: Record<string, unknown> = { code: err.status, message: err.message };
  const retry = err.headers['retry-after'] ?? err.headers['Retry-After'];
  if ((err.status === 413 || err.status === 429) && retry) fault['retryAfter'] = retry;
  return { body: JSON.stringify({ [name]: fault }), contentType: 'application/json' };
}
