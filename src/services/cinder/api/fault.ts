/**
 * Cinder's error body (cinder/api/openstack/wsgi.py's Fault): the key names the status
 * (`{"badRequest": {"code": 400, "message": "..."}}`), `computeFault` for a status without a
 * name, `retryAfter` on a 413 that has a Retry-After header.
 */
import type { NuboError } from '../../../common/errors.js';
import type { RenderedFault } from '../../../common/http/faults.js';

const FAULT_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod',
  409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType', 501: 'notImplemented', 503: 'serviceUnavailable',
};

export function cinderFault(err: NuboError): RenderedFault {
  const name = FAULT_NAMES[err.status] ?? 'computeFault';
  const fault: Record<string, unknown> = { code: err.status, message: err.message };
  const retry = err.headers['retry-after'] ?? err.headers['Retry-After'];
  if (err.status === 413 && retry) fault['retryAfter'] = retry;
  return { body: JSON.stringify({ [name]: fault }), contentType: 'application/json' };
}
