/**
 * Fault renderers: each OpenStack service has its own error body format. A service's HTTP
 * plugin chooses one when it registers; errors-hook.ts maps every error to a NuboError first
 * and then calls the renderer. This is the one place error bodies are written.
 */
import type { FastifyRequest } from 'fastify';
import type { NuboError } from '../errors.js';

export interface RenderedFault {
  body: string;
  contentType: string;
}

/** Renders an error for a request (some formats depend on it, e.g. Glance's on the Accept header). */
export type FaultRenderer = (err: NuboError, req: FastifyRequest) => RenderedFault;

const json = (body: unknown): RenderedFault => ({ body: JSON.stringify(body), contentType: 'application/json' });

/** Keystone: {"error": {"code": 404, "title": "Not Found", "message": "..."}}. */
export const keystoneFault = (err: NuboError): RenderedFault =>
  json({ error: { code: err.status, title: err.title, message: err.message } });

/** Placement: {"errors": [{"status": 404, "title": "Not Found", "detail": "...", "request_id": ...}]}. */
export const placementFault = (err: NuboError): RenderedFault =>
  json({ errors: [{ status: err.status, title: err.title, detail: err.message }] });

/**
 * Neutron: {"NeutronError": {"type": "NetworkNotFound", "message": "...", "detail": ""}}. The type
 * is the error class name (services name their classes as Neutron's exceptions).
 */
export const neutronFault = (err: NuboError): RenderedFault =>
  json({ NeutronError: { type: neutronType(err), message: err.message, detail: '' } });

function neutronType(err: NuboError): string {
  if (err.constructor.name !== 'NuboError' && !GENERIC.has(err.name)) return err.name;
  return { 400: 'HTTPBadRequest', 401: 'HTTPUnauthorized', 403: 'HTTPForbidden', 404: 'HTTPNotFound', 409: 'HTTPConflict', 413: 'HTTPRequestEntityTooLarge' }[err.status] ?? 'HTTPInternalServerError';
}
const GENERIC = new Set(['BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'PayloadTooLarge', 'InternalError', 'MethodNotAllowed', 'NotAcceptable', 'UnsupportedMediaType', 'ServiceUnavailable', 'NotImplemented', 'PreconditionFailed', 'RangeNotSatisfiable', 'Gone', 'PolicyNotAuthorized', 'InvalidScope']);

/**
 * webob's plain-text error page, used by Glance and Swift: "404 Not Found\n\nmessage\n\n   ".
 * python-glanceclient and openstacksdk read the status and show this text.
 */
export const webobFault = (err: NuboError): RenderedFault => ({
  body: `${err.status} ${err.title}\n\n${err.message}\n\n   `,
  contentType: 'text/plain; charset=UTF-8',
});
