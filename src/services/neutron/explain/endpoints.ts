/**
 * FROM and TO of an explanation, resolved with the caller's context (so a project sees only
 * its own and shared things): `outside`; an IP address (the port holding it as a fixed IP, else
 * the floating IP and the port behind it); an id (a port, a server whose ports are found by
 * device_id, or a floating IP).
 */
import type { NeutronContext } from '../common/context.js';
import { canonicalIp, parseIp } from '../common/netaddr.js';
import { AmbiguousPathEnd, PathEndNotFound } from '../errors.js';
import type { FloatingIpManager } from '../managers/floating-ips.js';
import type { PortManager } from '../managers/ports.js';
import type { Port } from '../types/port.js';
import type { PathEnd } from './types.js';

export interface EndpointManagers {
  ports: PortManager;
  floatingIps: FloatingIpManager;
}

const FLOATINGIP_OWNER = 'network:floatingip';

const firstIp = (port: Port, version?: 4 | 6): string | undefined => {
  const v4 = port.fixed_ips.find((f) => parseIp(f.ip_address)?.version === (version ?? 4));
  return (v4 ?? port.fixed_ips[0])?.ip_address;
};

export async function resolveEnd(ctx: NeutronContext, m: EndpointManagers, given: string): Promise<PathEnd> {
  if (given.toLowerCase() === 'outside') return { kind: 'outside', given };
  const ip = canonicalIp(given);
  if (ip) {
    // a floating IP's address is also the fixed IP of its network:floatingip port (which admins see): the floating IP is meant
    const ports = (await m.ports.list(ctx, { filters: { fixed_ips: [{ ip_address: [ip] }] }, sorts: [] })).filter((p) => p.device_owner !== FLOATINGIP_OWNER);
    if (ports.length > 1) throw new AmbiguousPathEnd(given, ports.map((p) => p.id));
    if (ports[0]) return { kind: 'port', given, port: ports[0], ip };
    const fip = (await m.floatingIps.list(ctx, { filters: { floating_ip_address: [ip] }, sorts: [] }))[0];
    if (!fip) throw new PathEndNotFound(given);
    if (!fip.port_id) return { kind: 'floating', given, floatingIp: fip };
    const port = await m.ports.get(ctx, fip.port_id);
    return { kind: 'port', given, port, ip: fip.fixed_ip_address ?? firstIp(port), floatingIp: fip };
  }
  const port = await m.ports.get(ctx, given).catch(() => undefined);
  if (port) return { kind: 'port', given, port, ip: firstIp(port) };
  const ofServer = await m.ports.list(ctx, { filters: { device_id: [given] }, sorts: [] });
  const chosen = ofServer.find((p) => firstIp(p) && parseIp(firstIp(p))?.version === 4) ?? ofServer[0];
  if (chosen) return { kind: 'port', given, port: chosen, ip: firstIp(chosen) };
  const fip = await m.floatingIps.get(ctx, given).catch(() => undefined);
  if (fip) {
    if (!fip.port_id) return { kind: 'floating', given, floatingIp: fip };
    const p = await m.ports.get(ctx, fip.port_id);
    return { kind: 'port', given, port: p, ip: fip.fixed_ip_address ?? firstIp(p), floatingIp: fip };
  }
  throw new PathEndNotFound(given);
}
