/**
 * How the identity service renders errors: `{"error": {"code": 404, "title": "Not Found",
 * "message": "..."}}`, plus the `identity` member upstream adds to auth plugin errors.
 */
import type { NuboError } from '../../../common/errors.js';
import type { FaultRenderer, RenderedFault } from '../../../common/http/faults.js';
import { AuthPluginError } from '../auth/errors.js';

/** keystone.exception's JSON error body. */
export function keystoneFault(err: NuboError): RenderedFault {
  const error = err instanceof AuthPluginError
    ? { code: err.status, identity: err.identity, message: err.message, title: err.title }
    : { code: err.status, title: err.title, message: err.message };
  return { contentType: 'application/json', body: JSON.stringify({ error }) };
}

export const identityFault: FaultRenderer = keystoneFault;
