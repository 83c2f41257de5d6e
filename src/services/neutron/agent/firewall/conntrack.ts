/**
 * Cutting connections the firewall no longer allows (neutron/agent/linux/ip_conntrack.py):
 * conntrack keeps accepting packets of an established connection whatever the rules say, so
 * when a rule goes, a port leaves a group or a remote group loses members, their conntrack
 * entries are deleted (`conntrack -D`, in the port's zone) and the next packet meets the new
 * rules. Exit code 1 ("0 flow entries have been deleted") is no error.
 *
 * A `conntrack -D` with a filter walks the kernel's whole conntrack table (262,144 buckets
 * here, ~9 ms of kernel time each, also per line of a `conntrack -R` batch), so a rule of a
 * group of 100 ports, 100 filtered deletes as processes through `ip netns exec`, took 5.8 s
 * on 2 cores and the 100th port's connections outlived the rule by that long. Instead, the
 * namespace's table is listed once (`conntrack -L`, one walk), the entries the filters match
 * are picked here and each is deleted by its full tuple (`-s -d` with ports or ICMP type,
 * code and id, in its zone), which the kernel looks up directly, a few at a time. Entries of
 * a protocol without such a tuple (gre, unknown) get their filter command as before, and so
 * does everything when the listing fails.
 */
import type { Logger } from '../../../../common/log/logger.js';
import { type Cidr, cidrContains, parseCidr, parseIp } from '../../common/netaddr.js';
import { CommandError, type CommandResult, run, type RunOptions } from './commands.js';
import type { Direction, EtherType, FirewallPort, FirewallRule } from './types.js';

/** The port and the conntrack zone its connections are in (undefined: the default zone). */
export interface ConntrackTarget {
  port: FirewallPort;
  zone: number | undefined;
}

const ETHER_VERSION: Record<EtherType, number> = { IPv4: 4, IPv6: 6 };

function ipsOf(port: FirewallPort, ethertype: EtherType): string[] {
  return port.fixed_ips.filter((ip) => parseCidr(ip, true)?.version === ETHER_VERSION[ethertype]);
}

/** Protocol numbers and aliases to the names conntrack knows. */
const CONNTRACK_PROTOCOLS: Record<string, string> = {
  '0': 'ip', '1': 'icmp', '6': 'tcp', '17': 'udp', '33': 'dccp', '58': 'icmpv6', '132': 'sctp', '136': 'udplite', 'ipv6-icmp': 'icmpv6',
};

function protocolArg(protocol: string | null | undefined, ethertype: EtherType): string[] {
  if (protocol === undefined || protocol === null || protocol === '' || protocol === 'any') return [];
  const p = protocol.toLowerCase();
  const name = CONNTRACK_PROTOCOLS[p] ?? p;
  return ['-p', ethertype === 'IPv6' && name === 'icmp' ? 'icmpv6' : name];
}

export type CommandRunner = (cmd: string, args: readonly string[], opts?: RunOptions) => Promise<CommandResult>;

/** One entry of `conntrack -L -o extended`: its family, protocol and original-direction fields. */
export interface ConntrackEntry {
  family: string;
  protocol: string;
  protonum: string;
  /** key=value of the original direction (src, dst, sport, dport, type, code, id) and zone. */
  fields: Map<string, string>;
  zone: number;
}

export function parseListing(stdout: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const line of stdout.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    if (tokens.length < 5 || !/^ipv[46]$/.test(tokens[0]!)) continue;
    const fields = new Map<string, string>();
    let zone = 0;
    let sources = 0;
    for (const t of tokens.slice(4)) {
      const eq = t.indexOf('=');
      if (eq < 0) continue;
      const key = t.slice(0, eq);
      const value = t.slice(eq + 1);
      if (key === 'zone') zone = Number(value);
      if (key === 'src') sources++;
      if (sources === 1 && !fields.has(key)) fields.set(key, value);
    }
    out.push({ family: tokens[0]!, protocol: tokens[2]!, protonum: tokens[3]!, fields, zone });
  }
  return out;
}

/** What a `conntrack -D` command of ours selects. */
interface Filter {
  args: readonly string[];
  family: string | undefined;
  protocol: string | undefined;
  src: Cidr | undefined;
  dst: Cidr | undefined;
  zone: number | undefined;
}

/** The protocols `conntrack -L` names as we name them in `-p`. */
const LISTED_PROTOCOLS = new Set(['icmp', 'icmpv6', 'tcp', 'udp', 'sctp', 'dccp', 'udplite', 'gre']);

/** A command's filter; undefined when it has options this matcher does not know (it is then run as it is). */
function filterOf(args: readonly string[]): Filter | undefined {
  const f: Filter = { args, family: undefined, protocol: undefined, src: undefined, dst: undefined, zone: undefined };
  for (let i = 1; i < args.length; i += 2) {
    const value = args[i + 1];
    if (value === undefined) return undefined;
    switch (args[i]) {
      case '-f': f.family = value; break;
      case '-p': if (!LISTED_PROTOCOLS.has(value) && !/^\d+$/.test(value)) return undefined; f.protocol = value; break;
      case '-s': f.src = parseCidr(value, true); if (!f.src) return undefined; break;
      case '-d': f.dst = parseCidr(value, true); if (!f.dst) return undefined; break;
      case '-w': f.zone = Number(value); break;
      default: return undefined;
    }
  }
  return args[0] === '-D' ? f : undefined;
}

function ipIn(c: Cidr | undefined, text: string | undefined): boolean {
  if (!c) return true;
  const ip = parseIp(text);
  return ip !== undefined && ip.version === c.version && cidrContains(c, ip);
}

function matches(f: Filter, e: ConntrackEntry): boolean {
  return (f.family === undefined || f.family === e.family)
    && (f.protocol === undefined || f.protocol === e.protocol || f.protocol === e.protonum)
    && (f.zone === undefined || f.zone === e.zone)
    && ipIn(f.src, e.fields.get('src')) && ipIn(f.dst, e.fields.get('dst'));
}

/** The `conntrack -D` of exactly this entry (a direct lookup in the kernel), if its protocol has a full tuple. */
export function exactDelete(e: ConntrackEntry): string[] | undefined {
  const f = e.fields;
  const need = (...keys: string[]) => keys.every((k) => f.has(k));
  let l4: string[];
  if (['tcp', 'udp', 'sctp', 'dccp', 'udplite'].includes(e.protocol) && need('sport', 'dport')) l4 = ['--sport', f.get('sport')!, '--dport', f.get('dport')!];
  else if ((e.protocol === 'icmp' || e.protocol === 'icmpv6') && need('type', 'code', 'id')) {
    const o = e.protocol === 'icmp' ? '--icmp' : '--icmpv6';
    l4 = [`${o}-type`, f.get('type')!, `${o}-code`, f.get('code')!, `${o}-id`, f.get('id')!];
  } else return undefined;
  if (!need('src', 'dst')) return undefined;
  return ['-D', '-f', e.family, '-p', e.protocol, '-s', f.get('src')!, '-d', f.get('dst')!, ...l4, ...(e.zone ? ['-w', String(e.zone)] : [])];
}

/** Deletes run this many at a time. */
const PARALLEL = 4;
/** The listing's time limit (a large table takes a while to print). */
const LIST_TIMEOUT_MS = 60_000;

export class ConntrackCleaner {
  private missingReported = false;
  /** Inside collect(): the deletes asked for so far, run at its end. */
  private pending: string[][] | undefined;

  constructor(private readonly netns: string | undefined, private readonly log: Logger | undefined, private readonly runner: CommandRunner = run) {}

  /** _get_conntrack_cmds: one `conntrack -D` per port IP of the rule's ethertype. */
  commands(targets: readonly ConntrackTarget[], rule: Pick<FirewallRule, 'direction' | 'ethertype' | 'protocol'>, remoteIp?: string): string[][] {
    const out = new Map<string, string[]>();
    const base = ['-D', ...protocolArg(rule.protocol, rule.ethertype), '-f', rule.ethertype === 'IPv4' ? 'ipv4' : 'ipv6'];
    for (const { port, zone } of targets) {
      for (const ip of ipsOf(port, rule.ethertype)) {
        const args = [...base, rule.direction === 'ingress' ? '-d' : '-s', ip, ...(zone === undefined ? [] : ['-w', String(zone)])];
        if (remoteIp && parseCidr(remoteIp, true)?.version === ETHER_VERSION[rule.ethertype]) args.push(rule.direction === 'ingress' ? '-s' : '-d', remoteIp);
        out.set(args.join(' '), args);
      }
    }
    return [...out.values()];
  }

  /** A rule went: the connections it may have allowed to (ingress) or from (egress) these ports. */
  async deleteByRule(targets: readonly ConntrackTarget[], rule: FirewallRule): Promise<void> {
    await this.runAll(this.commands(targets, rule));
  }

  /** Remote IPs left a group (or, with none given, the port left its groups): both directions. */
  async deleteByRemoteIps(targets: readonly ConntrackTarget[], ethertype: EtherType, remoteIps: readonly string[]): Promise<void> {
    const cmds: string[][] = [];
    for (const direction of ['ingress', 'egress'] as Direction[]) {
      if (remoteIps.length === 0) cmds.push(...this.commands(targets, { direction, ethertype }));
      for (const ip of remoteIps) cmds.push(...this.commands(targets, { direction, ethertype }, ip));
    }
    await this.runAll(cmds);
  }

  /**
   * Runs `fn` with the deletes it asks for gathered and run at its end, with one listing of the
   * table for all of them (the clean-ups of one firewall apply: 100 ports removed are one
   * listing, not 200).
   */
  async collect(fn: () => Promise<void>): Promise<void> {
    if (this.pending) return fn();
    this.pending = [];
    try {
      await fn();
    } finally {
      const cmds = this.pending;
      this.pending = undefined;
      await this.runAll(cmds);
    }
  }

  private async runAll(cmds: readonly string[][]): Promise<void> {
    if (this.pending) {
      this.pending.push(...cmds);
      return;
    }
    if (!cmds.length) return;
    const filters = cmds.map((args) => ({ args, filter: filterOf(args) }));
    const deletes = new Map<string, string[]>();
    for (const { args, filter } of filters) if (!filter) deletes.set(args.join(' '), args);
    if (filters.some((f) => f.filter)) {
      let entries: ConntrackEntry[];
      try {
        entries = parseListing((await this.runner('conntrack', ['-L', '-o', 'extended'], { netns: this.netns, timeoutMs: LIST_TIMEOUT_MS })).stdout);
      } catch (err) {
        if (this.missing(err)) return;
        this.log?.warn({ err }, 'firewall: conntrack -L failed; deleting by filter');
        return this.runEach(cmds);
      }
      for (const e of entries) {
        const hit = filters.find((f) => f.filter && matches(f.filter, e));
        if (!hit) continue;
        const args = exactDelete(e) ?? hit.args;
        deletes.set(args.join(' '), args);
      }
    }
    await this.runEach([...deletes.values()]);
  }

  private async runEach(cmds: readonly string[][]): Promise<void> {
    let next = 0;
    let missing = false;
    const worker = async () => {
      while (next < cmds.length && !missing) {
        const args = cmds[next++]!;
        try {
          await this.runner('conntrack', args, { netns: this.netns });
        } catch (err) {
          // exit 1: the entry went meanwhile, or the filter matched none
          if (err instanceof CommandError && err.code === 1) continue;
          if (this.missing(err)) missing = true;
          else this.log?.error({ err, args }, 'firewall: conntrack -D failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, cmds.length) }, worker));
  }

  /** The conntrack tool is not installed (said once). */
  private missing(err: unknown): boolean {
    if (!(err instanceof CommandError && (err.code === null || err.code === 255) && /ENOENT|No such file or directory/.test(err.stderr))) return false;
    if (!this.missingReported) this.log?.warn('firewall: the conntrack tool is missing; connections a removed rule allowed go on until they end');
    this.missingReported = true;
    return true;
  }
}
