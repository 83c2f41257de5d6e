/**
 * One explanation's walk: the request, its two ends, the Neutron state (PathData), the kernel
 * probes, and what the hops share: an end's subnet, the router that serves it.
 */
import { parseIp } from '../common/netaddr.js';
import type { Subnet } from '../types/subnet.js';
import type { KernelProbes } from './kernel/probes.js';
import type { PathData, RouterInterface } from './path-data.js';
import type { ExplainRequest, Hop, HopSource, PathEnd, PortEnd } from './types.js';

export type Side = 'source' | 'destination';

export class Walk {
  constructor(
    readonly request: ExplainRequest,
    readonly from: PathEnd,
    readonly to: PathEnd,
    readonly data: PathData,
    readonly kernel: KernelProbes,
  ) {}

  end(side: Side): PathEnd {
    return side === 'source' ? this.from : this.to;
  }

  /** The end on `side` when it is a port. */
  portEnd(side: Side): PortEnd | undefined {
    const e = this.end(side);
    return e.kind === 'port' ? e : undefined;
  }

  other(side: Side): PathEnd {
    return side === 'source' ? this.to : this.from;
  }

  async subnetOf(end: PortEnd): Promise<Subnet | undefined> {
    const fixed = end.port.fixed_ips.find((f) => f.ip_address === end.ip) ?? end.port.fixed_ips[0];
    return fixed ? this.data.subnet(fixed.subnet_id) : undefined;
  }

  /** The router interface that serves the end's subnet (one with an external gateway first when the path leaves for outside). */
  async routerInterfaceOf(end: PortEnd): Promise<RouterInterface | undefined> {
    const subnet = await this.subnetOf(end);
    if (!subnet) return undefined;
    const ifaces = await this.data.routerInterfaces(subnet.id);
    return ifaces.find((i) => i.router.external_gateway_info) ?? ifaces[0];
  }

  /** The IP version of the path (the source's address, else the destination's; 4 by default). */
  get ipVersion(): 4 | 6 {
    for (const e of [this.from, this.to]) if (e.kind === 'port' && e.ip) return parseIp(e.ip)?.version ?? 4;
    return 4;
  }
}

export interface HopCheck {
  run(walk: Walk): Promise<Hop>;
}

export const ok = (hop: string, source: HopSource, evidence: string): Hop => ({ hop, source, verdict: 'ok', evidence, fix: '' });
export const broken = (hop: string, source: HopSource, evidence: string, fix: string): Hop => ({ hop, source, verdict: 'broken', evidence, fix });
export const unknown = (hop: string, source: HopSource, evidence: string): Hop => ({ hop, source, verdict: 'unknown', evidence, fix: '' });

/** How a port is named in a fix: its name when it has one, else its id. */
export const portRef = (end: PortEnd): string => end.port.id;
