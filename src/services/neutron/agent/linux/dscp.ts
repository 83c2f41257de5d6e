/**
 * DSCP marking of what a port sends (the Linux bridge QoS driver's iptables part): a mangle
 * chain `nubo-qos-o<tap id>` per tap holding `-j DSCP --set-dscp <mark>`, jumped to from
 * POSTROUTING for bridged packets coming in from the tap (`-m physdev --physdev-in <tap>
 * --physdev-is-bridged`), in both iptables and ip6tables. Plain iptables commands: the
 * security-group firewall restores only the filter and raw tables (--noflush), so this chain
 * is left alone by it.
 */
import { CommandError, execute } from './exec.js';

const TOOLS = ['iptables', 'ip6tables'] as const;

export function dscpChain(device: string): string {
  return `nubo-qos-o${device.slice(3)}`;
}

function jump(device: string): string[] {
  return ['POSTROUTING', '-m', 'physdev', '--physdev-in', device, '--physdev-is-bridged', '-j', dscpChain(device)];
}

export class DscpMarking {
  constructor(private readonly namespace: string | undefined) {}

  private run(tool: string, args: readonly string[]): Promise<string> {
    return execute(tool, ['-w', '5', '-t', 'mangle', ...args], this.namespace ? { namespace: this.namespace } : {});
  }

  private async tolerate(tool: string, args: readonly string[]): Promise<boolean> {
    try {
      await this.run(tool, args);
      return true;
    } catch (err) {
      if (err instanceof CommandError) return false;
      throw err;
    }
  }

  /** create/update_dscp_marking: the tap's chain marks with `mark`, and POSTROUTING jumps to it once. */
  async set(device: string, mark: number): Promise<void> {
    const chain = dscpChain(device);
    for (const tool of TOOLS) {
      await this.tolerate(tool, ['-N', chain]);
      await this.run(tool, ['-F', chain]);
      await this.run(tool, ['-A', chain, '-j', 'DSCP', '--set-dscp', `0x${mark.toString(16).padStart(2, '0')}`]);
      if (!(await this.tolerate(tool, ['-C', ...jump(device)]))) await this.run(tool, ['-A', ...jump(device)]);
    }
  }

  /** delete_dscp_marking: the jump and the chain go (what is already gone is fine). */
  async clear(device: string): Promise<void> {
    const chain = dscpChain(device);
    for (const tool of TOOLS) {
      while (await this.tolerate(tool, ['-D', ...jump(device)]));
      await this.tolerate(tool, ['-F', chain]);
      await this.tolerate(tool, ['-X', chain]);
    }
  }

  /** The mark the tap's chain sets in `tool`'s mangle table, or undefined without the chain. */
  async mark(device: string, tool: (typeof TOOLS)[number] = 'iptables'): Promise<number | undefined> {
    const out = await this.run(tool, ['-S', dscpChain(device)]).catch(() => undefined);
    const m = out && /--set-dscp (0x[0-9a-f]+)/i.exec(out);
    return m ? Number(m[1]) : undefined;
  }

  /** Whether POSTROUTING jumps to the tap's chain in `tool`. */
  jumps(device: string, tool: (typeof TOOLS)[number] = 'iptables'): Promise<boolean> {
    return this.tolerate(tool, ['-C', ...jump(device)]);
  }
}
