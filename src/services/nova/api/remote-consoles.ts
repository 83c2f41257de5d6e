/**
 * Remote consoles (nova's remote_consoles.py): POST /servers/{id}/remote-consoles (2.6+,
 * protocol vnc/spice/serial/rdp and from 2.8 mks) answers a console URL with a token. The
 * host decides: a protocol its configuration does not enable, or a type the protocol does not
 * have, is a 400 (ConsoleTypeUnavailable / ConsoleTypeInvalid); a server not on a host or
 * still building a 409. The older per-protocol actions (until 2.5) are in
 * server-actions/consoles.ts.
 */
import type { FastifyInstance } from 'fastify';
import { Conflict } from '../../../common/errors.js';
import type { ConsoleProtocol } from '../compute/api-lifecycle.js';
import { FeatureNotSupported, InstanceInvalidState, InstanceNotReady, NotFound } from '../errors.js';
import type { Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance, type Caller } from './request.js';
import { invalidStateConflict } from './server-actions/index.js';
import { validateBody } from './validation.js';

const createSchema = (protocols: string[], types: string[]) => ({
  type: 'object',
  properties: {
    remote_console: {
      type: 'object',
      properties: { protocol: { type: 'string', enum: protocols }, type: { type: 'string', enum: types } },
      required: ['protocol', 'type'],
      additionalProperties: false,
    },
  },
  required: ['remote_console'],
  additionalProperties: false,
});

const CREATE_V26 = createSchema(['vnc', 'spice', 'rdp', 'serial'], ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial']);
const CREATE_V28 = createSchema(['vnc', 'spice', 'rdp', 'serial', 'mks'], ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial', 'webmks']);

/** The console URL from the server's host, with the HTTP form of what can go wrong. */
export async function consoleUrl(deps: ApiDeps, c: Caller, instance: Instance, protocol: ConsoleProtocol, consoleType: string): Promise<string> {
  try {
    return (await deps.compute.lifecycle.getConsole(c.ctx, instance, protocol, consoleType)).url;
  } catch (err) {
    if (err instanceof InstanceNotReady || (err instanceof Error && err.name === 'InstanceNotReady')) throw new Conflict(err.message);
    if (err instanceof InstanceInvalidState) throw invalidStateConflict(err, `get_${protocol}_console`, instance.uuid);
    if (err instanceof Error && err.name === 'NotImplementedError') throw new FeatureNotSupported();
    throw err;
  }
}

export function remoteConsolesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<{ Params: { id: string } }>('/servers/:id/remote-consoles', async (req) => {
    const c = caller(req, deps);
    if (!c.version.atLeast('2.6')) throw new NotFound('The resource could not be found.');
    const body = validateBody<{ remote_console: { protocol: ConsoleProtocol; type: string } }>(c.version.atLeast('2.8') ? CREATE_V28 : CREATE_V26, req.body);
    const instance = await getInstance(deps, c, req.params.id);
    deps.policy.can(c.ctx, 'os_compute_api:os-remote-consoles', { project_id: instance.data.project_id });
    const { protocol, type } = body.remote_console;
    return { remote_console: { protocol, type, url: await consoleUrl(deps, c, instance, protocol, type) } };
  });
}
