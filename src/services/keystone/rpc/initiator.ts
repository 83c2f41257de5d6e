/**
 * The CADF initiator of a notification (keystone/notifications.py build_audit_initiator): who
 * made the request, from where, under which request id. Managers know nothing about HTTP, so
 * the initiator is read from the request scope (AsyncLocalStorage) when the notification is
 * made: the authenticated context the auth hook attached, and the client address and user
 * agent of the HTTP request the scope belongs to.
 */
import { RequestContext } from '../../../common/context.js';
import { currentScope } from '../../../common/log/request-scope.js';
import { ACCOUNT_USER, resourceUuid, type CadfResource } from './cadf.js';
import { randomUUID } from 'node:crypto';

/**
 * The initiator of the work in progress. `user` names the user when the request is not
 * authenticated yet (authentication: the user whose password is checked).
 */
export function currentInitiator(user?: { id: string; name: string }): CadfResource {
  const scope = currentScope();
  const auth = scope?.context instanceof RequestContext ? scope.context.auth : undefined;
  const userId = user?.id ?? auth?.userId;
  const initiator: CadfResource = { typeURI: ACCOUNT_USER, id: userId ? resourceUuid(userId) : randomUUID() };
  const client = scope?.client;
  if (client) {
    const agent = client.headers['user-agent'];
    initiator['host'] = { address: client.ip, agent: typeof agent === 'string' ? agent : '' };
  }
  if (userId) {
    initiator['user_id'] = userId;
    const name = user?.name ?? auth?.userName;
    // _add_username_to_initiator: name, and username for compatibility.
    if (name) {
      initiator['name'] = name;
      initiator['username'] = name;
    }
  }
  if (!user && auth?.projectId) initiator['project_id'] = auth.projectId;
  if (!user && auth?.domainId) initiator['domain_id'] = auth.domainId;
  if (scope) {
    initiator['request_id'] = scope.requestId;
    if (scope.globalRequestId) initiator['global_request_id'] = scope.globalRequestId;
  }
  return initiator;
}
