/**
 * Fault renderers: each OpenStack project has its own error body format, written in its own
 * folder (api/fault.ts) and named by its ProjectDef. The one error hook (service-mount.ts)
 * maps every error to a NuboError (errors-hook.ts), then calls the project's renderer with the
 * error and the request.
 */
import type { FastifyRequest } from 'fastify';
import type { NuboError } from '../errors.js';

export interface RenderedFault {
  body: string;
  contentType: string;
}

/** Renders an error for a request (some formats depend on it, e.g. Glance's on the Accept header). */
export type FaultRenderer = (err: NuboError, req: FastifyRequest) => RenderedFault;
