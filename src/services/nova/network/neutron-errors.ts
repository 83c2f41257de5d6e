/**
 * What Neutron answered when a proxied call failed: the status and the NeutronError's type and
 * message (what neutronclient's exceptions carry, and nova passes on as str(e)).
 */
import { ServiceClientError } from '../../../common/clients/index.js';

export interface NeutronFailure {
  status: number;
  type: string;
  message: string;
}

/** The failure of a Neutron call, or undefined for any other error. */
export function neutronFailure(err: unknown): NeutronFailure | undefined {
  if (!(err instanceof ServiceClientError)) return undefined;
  let type = '';
  let message = err.responseBody;
  try {
    const parsed = JSON.parse(err.responseBody) as { NeutronError?: { type?: unknown; message?: unknown } };
    if (typeof parsed.NeutronError?.type === 'string') type = parsed.NeutronError.type;
    if (typeof parsed.NeutronError?.message === 'string') message = parsed.NeutronError.message;
  } catch {
    // not JSON: the body as it is
  }
  return { status: err.status, type, message };
}

/** The failure if Neutron answered `status`. */
export function neutronFailed(err: unknown, status: number): NeutronFailure | undefined {
  const f = neutronFailure(err);
  return f?.status === status ? f : undefined;
}
