/**
 * How the Network API renders errors: the shared `{"NeutronError": ...}` renderer, keeping
 * the type of Neutron's own exceptions whose names are also generic names.
 */
import type { NuboError } from '../../../common/errors.js';
import { neutronFault, type FaultRenderer } from '../../../common/http/faults.js';

/** Neutron's own exception names that collide with the generic ones the shared renderer maps. */
const NEUTRON_NAMED = new Set(['PolicyNotAuthorized', 'BadRequest']);

/** neutronFault, keeping the type of Neutron exceptions whose names are also generic names. */
export const networkFault: FaultRenderer = (err: NuboError) => {
  const rendered = neutronFault(err);
  if (!NEUTRON_NAMED.has(err.name) || err.constructor.name === err.name) return rendered;
  const body = JSON.parse(rendered.body) as { NeutronError: Record<string, unknown> };
  body.NeutronError.type = err.name;
  return { ...rendered, body: JSON.stringify(body) };
};
