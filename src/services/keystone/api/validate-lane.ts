/**
 * Token validation (GET and HEAD /v3/auth/tokens) as a request lane (common/http/
 * request-lanes.ts). Every service's token check validates tokens here, and in a running cloud
 * the caller's token, the subject token and its body are nearly always in the validator's and
 * the body caches: such a request is answered before routing, by the steps of the route
 * (api/auth.ts) and of the token check (common/auth/middleware.ts), from those caches:
 *
 * - the caller: X-Auth-Token cached, no X-Service-Token, its RequestContext as the token check
 *   builds it;
 * - the subject: X-Subject-Token cached and not limited by access rules;
 * - policy: `identity:validate_token` (HEAD: `identity:check_token`) on the subject, the route's
 *   target and remembered decision;
 * - the answer: the route's status, headers and body (with the catalog unless `nocatalog`).
 *
 * The lane declines whatever the route would answer otherwise, or only after waiting: a token
 * not cached, a refusal by policy (the route renders the 403), a query other than `nocatalog`
 * (`allow_expired`), a catalog not loaded yet, a request its service's span would trace.
 */
import type { RequestLane } from '../../../common/http/request-lanes.js';
import { RequestContext } from '../../../common/context.js';
import { requestTraced } from '../../../common/tracing/http-spans.js';
import { headerValue, subjectTarget } from './auth.js';
import type { AuthApiDeps } from './auth-deps.js';

const JSON_UTF8 = 'application/json; charset=utf-8';
/** The query strings the lane serves: none, or `nocatalog` (any value, as the route takes it). */
const NOCATALOG = /^nocatalog(=[^&]*)?$/;
const ignore = (): void => {};

export function validateTokenLane(deps: Pick<AuthApiDeps, 'validator' | 'authorize' | 'tokenBody'>): RequestLane {
  return ({ raw, query, requestId, globalRequestId }) => {
    if (query !== '' && !NOCATALOG.test(query)) return undefined;
    const headers = raw.headers;
    const token = headerValue(headers, 'x-auth-token');
    const subjectId = headerValue(headers, 'x-subject-token');
    if (!token || !subjectId || headers['x-service-token'] !== undefined) return undefined;
    const auth = deps.validator.cachedInfo(token);
    const subject = auth && deps.validator.cached(subjectId);
    if (!subject || subject.token.appCred?.accessRules || requestTraced(raw)) return undefined;
    const ctx = new RequestContext({ requestId, globalRequestId, token, auth });
    try {
      deps.authorize({ ctx, params: undefined, body: undefined }, raw.method === 'HEAD' ? 'identity:check_token' : 'identity:validate_token', subjectTarget(subject));
    } catch {
      return undefined;
    }
    const headersOut = ['x-subject-token', subject.token.id];
    const user = auth.userId;
    const project = auth.projectId;
    if (raw.method === 'HEAD') return { status: 200, headers: [...headersOut, 'content-type', 'application/json'], body: '', user, project };
    const body = deps.tokenBody(subject.token, query !== '');
    if (!Buffer.isBuffer(body)) {
      // The catalog is loading: the route waits for it (and a failure is the route's to report).
      body.catch(ignore);
      return undefined;
    }
    return { status: 200, headers: [...headersOut, 'content-type', JSON_UTF8], body, user, project };
  };
}
