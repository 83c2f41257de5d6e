/**
 * Cinder's exceptions back from a RemoteError: the caller of an RPC call sees the volume
 * service's InvalidVolume as a CinderException of the same status and message.
 */
import { RemoteError } from '../../../common/messaging/index.js';
import { CinderException } from '../errors.js';

export function fromRemote(err: unknown): unknown {
  if (!(err instanceof RemoteError)) return err;
  const e = new CinderException(err.value, err.status ?? 500, { cause: err });
  Object.defineProperty(e, 'name', { value: err.excType });
  return e;
}

export async function callRemote<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromRemote(err);
  }
}
