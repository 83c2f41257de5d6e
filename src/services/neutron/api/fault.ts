/**
 * How the Network API renders errors: `{"NeutronError": {"type": "NetworkNotFound", "message":
 * "...", "detail": ""}}`. The type is the name of Neutron's exception (our classes are named as
 * Neutron's); errors that are not Neutron's own (the plumbing's BadRequest, NotFound, ...) get
 * the webob name of their status, as neutron's fault wrapper does.
 */
import type { NuboError } from '../../../common/errors.js';
import type { FaultRenderer } from '../../../common/http/faults.js';

/** Names of the plumbing's generic errors: not Neutron types. */
const GENERIC = new Set([
  'BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'PayloadTooLarge', 'InternalError', 'MethodNotAllowed',
  'NotAcceptable', 'UnsupportedMediaType', 'ServiceUnavailable', 'NotImplemented', 'PreconditionFailed', 'RangeNotSatisfiable',
  'Gone', 'PolicyNotAuthorized', 'InvalidScope',
]);

const HTTP_TYPES = new Map<number, string>([
  [400, 'HTTPBadRequest'], [401, 'HTTPUnauthorized'], [403, 'HTTPForbidden'], [404, 'HTTPNotFound'], [409, 'HTTPConflict'],
  [413, 'HTTPRequestEntityTooLarge'], [501, 'HTTPNotImplemented'],
]);

/**
 * Neutron's own class, even when it carries a generic name (NeutronPolicyNotAuthorized is
 * called PolicyNotAuthorized, as in neutron).
 */
function neutronType(err: NuboError): string {
  const className = err.constructor.name;
  const own = className !== 'NuboError' && (!GENERIC.has(err.name) || className !== err.name);
  return own ? err.name : HTTP_TYPES.get(err.status) ?? 'HTTPInternalServerError';
}

export const networkFault: FaultRenderer = (err) => ({
  contentType: 'application/json',
  body: JSON.stringify({ NeutronError: { type: neutronType(err), message: err.message, detail: '' } }),
});
