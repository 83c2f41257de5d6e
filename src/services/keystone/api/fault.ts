/** How the identity service renders errors: keystoneFault, plus the `identity` member of auth errors. */
import { keystoneFault, type FaultRenderer } from '../../../common/http/faults.js';
import { AuthPluginError } from '../auth/errors.js';

/** keystoneFault, plus the `identity` member upstream adds to auth plugin errors. */
export const identityFault: FaultRenderer = (err) => {
  if (!(err instanceof AuthPluginError)) return keystoneFault(err);
  return {
    contentType: 'application/json',
    body: JSON.stringify({ error: { code: err.status, identity: err.identity, message: err.message, title: err.title } }),
  };
};
