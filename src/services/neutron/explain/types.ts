/**
 * What the path explainer answers (the nubo-path-explain extension): the two ends of the path,
 * and one hop per check, each with its verdict, the evidence it read and the command or API
 * call that repairs it.
 */
import type { FloatingIp } from '../types/floating-ip.js';
import type { Port } from '../types/port.js';

export type Verdict = 'ok' | 'broken' | 'unknown';

/** Where a hop's evidence comes from: Neutron's database, or the kernel state the agents made. */
export type HopSource = 'neutron' | 'kernel';

export interface Hop {
  hop: string;
  source: HopSource;
  verdict: Verdict;
  evidence: string;
  /** The exact `openstack ...` command (or API call) that repairs a broken hop; empty when ok. */
  fix: string;
}

/** A port end: a server's port, a port, or the port holding a fixed IP (or a floating IP's port). */
export interface PortEnd {
  kind: 'port';
  /** What the caller named, as given. */
  given: string;
  port: Port;
  /** The address of the port on this path (its first IPv4 fixed IP unless one was named). */
  ip: string | undefined;
  /** A floating IP named as this end (inbound through it). */
  floatingIp?: FloatingIp;
}

/** A floating IP that no port holds. */
export interface UnboundFloatingEnd {
  kind: 'floating';
  given: string;
  floatingIp: FloatingIp;
}

export interface OutsideEnd {
  kind: 'outside';
  given: string;
}

export type PathEnd = PortEnd | UnboundFloatingEnd | OutsideEnd;

export interface ExplainRequest {
  from: string;
  to: string;
  /** tcp, udp, icmp or any. */
  protocol: string;
  port: number | undefined;
}

export interface Explanation {
  from: string;
  to: string;
  protocol: string;
  port: number | null;
  verdict: Verdict;
  /** The first broken hop in plain words (or why the path looks fine / what could not be checked). */
  summary: string;
  first_broken_hop: string | null;
  hops: Hop[];
}
