/** The query of GET /v2.0/nubo-explain: from, to, protocol (tcp, udp, icmp, any) and port. */
import { HTTPBadRequest } from '../errors.js';
import type { ExplainRequest } from './types.js';

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'any'];

const single = (q: Record<string, unknown>, key: string): string | undefined => {
  const v = q[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new HTTPBadRequest(`'${key}' must be given once.`);
  return v.trim();
};

export function explainRequest(query: Record<string, unknown>): ExplainRequest {
  const from = single(query, 'from');
  const to = single(query, 'to');
  if (!from || !to) throw new HTTPBadRequest("Both 'from' and 'to' are required: a server, a port, a fixed or floating IP, or 'outside'.");
  const portText = single(query, 'port');
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw new HTTPBadRequest(`Invalid port '${portText}': an integer from 1 to 65535.`);
    port = Number(portText);
  }
  const protocol = (single(query, 'protocol') || (port !== undefined ? 'tcp' : 'icmp')).toLowerCase();
  if (!PROTOCOLS.includes(protocol)) throw new HTTPBadRequest(`Invalid protocol '${protocol}': one of ${PROTOCOLS.join(', ')}.`);
  if (port !== undefined && protocol !== 'tcp' && protocol !== 'udp') throw new HTTPBadRequest(`A port needs protocol tcp or udp, not ${protocol}.`);
  return { from, to, protocol, port };
}
