/**
 * The path explainer (extension nubo-path-explain): resolves FROM and TO, lays out the hops a
 * packet crosses between them (one HopCheck per hop, from Neutron's state and from the kernel
 * state the agents made), runs them in order and names the first broken one in plain words,
 * with what it means for the seed's questions (no IP, router but not the outside, not reachable
 * from the outside) and the command that repairs it.
 */
import type { NeutronContext } from '../common/context.js';
import { HTTPBadRequest } from '../errors.js';
import { DhcpCheck } from './checks-dhcp.js';
import { FloatingIpCheck, RouterGatewayCheck, RouterInterfaceCheck, RouterRoutesCheck, SnatCheck, SubnetGatewayCheck } from './checks-l3.js';
import { PortBindingCheck, PortStatusCheck } from './checks-port.js';
import { SecurityGroupCheck } from './checks-security-groups.js';
import { resolveEnd } from './endpoints.js';
import { DnsmasqCheck, NatCheck, RouterNamespaceCheck, TapPluggedCheck } from './kernel/checks.js';
import type { KernelProbes } from './kernel/probes.js';
import { PathData, type PathManagers } from './path-data.js';
import type { ExplainRequest, Explanation, Hop, PathEnd } from './types.js';
import { type HopCheck, type Side, Walk } from './walk.js';

/** A port end's own hops: status, binding, tap, DHCP and its lease, its security groups. */
const portHops = (side: Side): HopCheck[] => [
  new PortStatusCheck(side), new PortBindingCheck(side), new TapPluggedCheck(side), new DhcpCheck(side), new DnsmasqCheck(side), new SecurityGroupCheck(side),
];

/** From the source's subnet out through its router's gateway. */
const outbound = (): HopCheck[] => [
  new SubnetGatewayCheck('source'), new RouterInterfaceCheck('source'), new RouterNamespaceCheck('source'), new RouterRoutesCheck(),
  new RouterGatewayCheck('source'), new SnatCheck(), new NatCheck('snat'),
];

/** From the outside in through the destination's floating IP and router. */
const inbound = (): HopCheck[] => [
  new FloatingIpCheck(), new RouterGatewayCheck('destination'), new NatCheck('dnat'), new RouterInterfaceCheck('destination'), new RouterNamespaceCheck('destination'),
];

/** The checks of the path from `from` to `to`, in the order a packet meets them. */
export function pathChecks(from: PathEnd, to: PathEnd): HopCheck[] {
  if (from.kind !== 'port') {
    if (from.kind === 'floating') throw new HTTPBadRequest(`Floating IP ${from.given} is associated with no port: it sends nothing.`);
    if (to.kind === 'outside') throw new HTTPBadRequest('FROM and TO cannot both be outside.');
    if (to.kind === 'floating') return [new FloatingIpCheck()];
    return [...inbound(), ...portHops('destination')];
  }
  const src = portHops('source');
  if (to.kind === 'outside') return [...src, ...outbound()];
  if (to.kind === 'floating') return [...src, ...outbound(), new FloatingIpCheck()];
  if (to.floatingIp) return [...src, ...outbound(), ...inbound(), ...portHops('destination')];
  if (to.port.network_id === from.port.network_id) return [...src, ...portHops('destination')];
  return [
    ...src, new SubnetGatewayCheck('source'), new RouterInterfaceCheck('source'), new RouterNamespaceCheck('source'), new RouterRoutesCheck(),
    new RouterInterfaceCheck('destination'), new RouterNamespaceCheck('destination'), ...portHops('destination'),
  ];
}

/** What a broken hop means, in the words of the question it answers. */
function consequence(hop: Hop, walk: Walk): string {
  const h = hop.hop;
  if (/DHCP|dnsmasq/.test(h)) return `so the ${h.startsWith('source') ? 'source' : 'destination'} VM gets no IP address`;
  if (walk.from.kind === 'port' && walk.to.kind !== 'port' && /router external gateway|SNAT|routes/.test(h)) return 'so the VM can reach its router but not the outside';
  if (walk.from.kind === 'outside' || (walk.to.kind === 'port' && walk.to.floatingIp) || walk.to.kind === 'floating') {
    if (/floating IP|router|destination/.test(h)) return 'so the VM cannot be reached from the outside';
  }
  if (/tap|port status|port binding/.test(h)) return 'so the VM is cut off from its network';
  return 'so the packets stop there';
}

function summarize(hops: Hop[], walk: Walk): Pick<Explanation, 'verdict' | 'summary' | 'first_broken_hop'> {
  const first = hops.find((h) => h.verdict === 'broken');
  if (first) {
    return {
      verdict: 'broken', first_broken_hop: first.hop,
      summary: `The path breaks at "${first.hop}": ${first.evidence}, ${consequence(first, walk)}. Fix: ${first.fix}`,
    };
  }
  const unknowns = hops.filter((h) => h.verdict === 'unknown');
  if (unknowns.length) {
    return {
      verdict: 'unknown', first_broken_hop: null,
      summary: `No hop is broken; ${unknowns.length} of ${hops.length} could not be checked (${unknowns.map((h) => `${h.hop}: ${h.evidence}`).join('; ')}).`,
    };
  }
  return { verdict: 'ok', first_broken_hop: null, summary: `Every one of the ${hops.length} hops lets ${walk.request.protocol} through.` };
}

export class PathExplainer {
  constructor(private readonly managers: PathManagers, private readonly kernel: KernelProbes) {}

  async explain(ctx: NeutronContext, req: ExplainRequest): Promise<Explanation> {
    const from = await resolveEnd(ctx, this.managers, req.from);
    const to = await resolveEnd(ctx, this.managers, req.to);
    const checks = pathChecks(from, to);
    const walk = new Walk(req, from, to, new PathData(this.managers), this.kernel);
    const hops: Hop[] = [];
    for (const c of checks) hops.push(await c.run(walk));
    return { from: req.from, to: req.to, protocol: req.protocol, port: req.port ?? null, ...summarize(hops, walk), hops };
  }
}
