/**
 * Cutting connections the firewall no longer allows (neutron/agent/linux/ip_conntrack.py):
 * conntrack keeps accepting packets of an established connection whatever the rules say, so
 * when a rule goes, a port leaves a group or a remote group loses members, their conntrack
 * entries are deleted (`conntrack -D`, in the port's zone) and the next packet meets the new
 * rules. Exit code 1 ("0 flow entries have been deleted") is no error.
 */
import type { Logger } from '../../../../common/log/logger.js';
import { parseCidr } from '../../common/netaddr.js';
import { CommandError, run } from './commands.js';
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

export class ConntrackCleaner {
  private missingReported = false;

  constructor(private readonly netns: string | undefined, private readonly log: Logger | undefined) {}

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

  private async runAll(cmds: readonly string[][]): Promise<void> {
    for (const args of cmds) {
      try {
        await run('conntrack', args, { netns: this.netns });
      } catch (err) {
        if (err instanceof CommandError && err.code === 1) continue;
        if (err instanceof CommandError && (err.code === null || err.code === 255) && /ENOENT|No such file or directory/.test(err.stderr)) {
          if (!this.missingReported) this.log?.warn('firewall: the conntrack tool is missing; connections a removed rule allowed go on until they end');
          this.missingReported = true;
          return;
        }
        this.log?.error({ err, args }, 'firewall: conntrack -D failed');
      }
    }
  }
}
