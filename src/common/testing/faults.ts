/**
 * Fault renderers for the plumbing's own tests. Each project writes its real error format in its
 * own folder (keystone/api/fault.ts, neutron/api/fault.ts, ...); these only stand in for them
 * where a test needs some service's format. For tests only.
 */
import type { NuboError } from '../errors.js';
import type { FaultRenderer } from '../http/faults.js';

/** `{"error": {"code", "title", "message"}}`. */
export const jsonErrorFault: FaultRenderer = (err: NuboError) => ({
  contentType: 'application/json',
  body: JSON.stringify({ error: { code: err.status, title: err.title, message: err.message } }),
});

/** `{"fault": {"type": <class name>, "message"}}`. */
export const typedFault: FaultRenderer = (err: NuboError) => ({
  contentType: 'application/json',
  body: JSON.stringify({ fault: { type: err.name, message: err.message } }),
});

/** `409 Conflict\n\nmessage`. */
export const textFault: FaultRenderer = (err: NuboError) => ({
  contentType: 'text/plain; charset=UTF-8',
  body: `${err.status} ${err.title}\n\n${err.message}`,
});
