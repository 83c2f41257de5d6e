/**
 * Nova's exceptions back from a RemoteError (oslo.messaging deserializes the remote exceptions
 * of allowed modules, nova.exception among them, into their classes): the caller of an RPC call
 * sees the scheduler's NoValidHost as a NoValidHost with its message, not as a RemoteError.
 */
import { RemoteError } from '../../../common/messaging/index.js';
import { MaxRetriesExceeded, NovaException, NoValidHost } from '../errors.js';

const REBUILD: Record<string, (message: string) => NovaException> = {
  NoValidHost: (m) => new NoValidHost(m.replace(/^No valid host was found\. ?/, '')),
  MaxRetriesExceeded: (m) => new MaxRetriesExceeded(m.replace(/^Exceeded maximum number of retries\. ?/, '')),
};

/** The nova exception a RemoteError carried (a NovaException of its status and type when Nubo has no class for it). */
export function fromRemote(err: unknown): unknown {
  if (!(err instanceof RemoteError)) return err;
  const rebuild = REBUILD[err.excType];
  if (rebuild) return rebuild(err.value);
  const e = new NovaException(err.value, err.status ?? 500, { cause: err });
  Object.defineProperty(e, 'name', { value: err.excType });
  return e;
}

/** Run an RPC call, turning a RemoteError into the nova exception it carried. */
export async function callRemote<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromRemote(err);
  }
}
