/**
 * The wire format of oslo.messaging (oslo_messaging/_drivers/common.py and amqp.py):
 *  - the envelope `{"oslo.version": "2.0", "oslo.message": "<JSON of the message>"}`;
 *  - the request context packed into the message as `_context_<key>` entries;
 *  - `_unique_id` on every message (duplicate detection), `_msg_id` / `_reply_q` on calls;
 *  - a remote exception serialized as JSON `{class, module, message, tb, args, kwargs}`.
 * Every message crosses the bus as a string, so no object identity ever does.
 */
import { randomUUID } from 'node:crypto';
import { setOwnValue } from '../own.js';
import { MessagingError, RemoteError } from './errors.js';

/** The serialized request context (oslo.context's to_dict()): request_id, user_id, roles, ... */
export type MessageContext = Record<string, unknown>;

/** A message body before it is enveloped: method/args, or a notification, plus `_` keys. */
export type RawMessage = Record<string, unknown>;

const ENVELOPE_VERSION = '2.0';
const VERSION_KEY = 'oslo.version';
const MESSAGE_KEY = 'oslo.message';
const CONTEXT_PREFIX = '_context_';

/** A 32-hex-digit id, as oslo's uuid.uuid4().hex. */
export function newHexId(): string {
  return randomUUID().replaceAll('-', '');
}

/** Wrap a message in the oslo 2.0 envelope and return the bytes to publish (a JSON string). */
export function serializeMsg(msg: RawMessage): string {
  return JSON.stringify({ [VERSION_KEY]: ENVELOPE_VERSION, [MESSAGE_KEY]: JSON.stringify(msg) });
}

/**
 * Parse a received body. Like oslo, accept both the 2.0 envelope and a bare JSON object (a 1.0
 * message, e.g. from oslo's `messaging` notification driver); refuse another major version.
 */
export function deserializeMsg(body: string): RawMessage {
  const outer: unknown = JSON.parse(body);
  if (!isObject(outer)) throw new MessagingError('message body is not a JSON object');
  if (!(VERSION_KEY in outer && MESSAGE_KEY in outer)) return outer;
  const version = outer[VERSION_KEY];
  if (typeof version !== 'string' || version.split('.')[0] !== ENVELOPE_VERSION.split('.')[0]) {
    throw new MessagingError(`Specified RPC envelope version, ${String(version)}, not supported by this endpoint.`);
  }
  const inner: unknown = JSON.parse(String(outer[MESSAGE_KEY]));
  if (!isObject(inner)) throw new MessagingError('enveloped message is not a JSON object');
  return inner;
}

/** Copy the context into the message as `_context_<key>` entries (oslo's pack_context). */
export function packContext(msg: RawMessage, ctxt: MessageContext): void {
  for (const [key, value] of Object.entries(ctxt)) msg[`${CONTEXT_PREFIX}${key}`] = value;
}

/** Remove the `_context_` entries from the message and return them as the context. */
export function unpackContext(msg: RawMessage): MessageContext {
  const ctxt: MessageContext = {};
  for (const key of Object.keys(msg)) {
    if (key.startsWith(CONTEXT_PREFIX)) {
      setOwnValue(ctxt, key.slice(CONTEXT_PREFIX.length), msg[key]);
      delete msg[key];
    }
  }
  return ctxt;
}

/** The JSON string oslo sends as `failure` in a reply. */
export function serializeRemoteException(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const kwargs: Record<string, unknown> = {};
  const fromErr = err as { status?: unknown; code?: unknown };
  if (typeof fromErr.status === 'number') kwargs['status'] = fromErr.status;
  if (typeof fromErr.code === 'number') kwargs['code'] = fromErr.code;
  const cls = e instanceof RemoteError ? e.excType : e.constructor?.name || e.name || 'Error';
  const message = e instanceof RemoteError ? e.value : e.message;
  return JSON.stringify({
    class: cls,
    module: 'nubo',
    message,
    tb: (e.stack ?? `${cls}: ${message}`).split('\n'),
    args: [message],
    kwargs: e instanceof RemoteError ? { ...e.kwargs, ...kwargs } : kwargs,
  });
}

/** Turn a received `failure` back into a RemoteError (we never re-instantiate remote classes). */
export function deserializeRemoteException(failure: unknown): RemoteError {
  let data: unknown = failure;
  if (typeof failure === 'string') {
    try {
      data = JSON.parse(failure);
    } catch {
      return new RemoteError('Unknown', failure, '');
    }
  }
  if (!isObject(data)) return new RemoteError('Unknown', String(failure), '');
  const tb = Array.isArray(data['tb']) ? data['tb'].map(String).join('\n') : String(data['tb'] ?? '');
  const kwargs = isObject(data['kwargs']) ? data['kwargs'] : {};
  return new RemoteError(String(data['class'] ?? 'Unknown'), String(data['message'] ?? ''), tb, kwargs);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
