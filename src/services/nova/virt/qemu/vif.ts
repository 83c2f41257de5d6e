/**
 * Plugging a guest's ports on the host, as os-vif's linux bridge plugin with libvirt does: the
 * bridge named by the VIF (created when missing, as os-vif's ensure_bridge), and a tap
 * tap<port id[:11]> on it that QEMU opens. The tap's own MAC is the port's with the first
 * byte fe (libvirt's rule: the host side must not answer for the guest's address); the guest's
 * NIC has the port's MAC. Behind the VifPlugger interface so that the Neutron data plane (or a
 * test) can plug differently.
 *
 * A host whose network lives in a namespace of its own ([qemu] host_namespace: the namespace
 * that plays the compute host's root namespace, the one its Linux bridge agent works in) gets
 * its bridges and taps there, made first when missing; QEMU then opens the taps from inside it
 * (guest.ts), since a tap is found by name in the opener's namespace.
 */
import { execFile } from 'node:child_process';
import { VirtualInterfaceCreateException } from '../../errors.js';
import type { VifInfo } from '../../objects/index.js';

export interface VifPlugger {
  /** The network namespace the taps are in (undefined: the process's own): QEMU must run there to open them. */
  readonly namespace?: string;
  /** Make the port's tap ready for QEMU; its name. */
  plug(vif: VifInfo): Promise<string>;
  /** Remove the port's tap (a missing one is not an error). */
  unplug(vif: VifInfo): Promise<void>;
}

/** nova's network model: tap + the port id's first 11 characters (Linux allows 15). */
export function tapName(vif: VifInfo): string {
  return vif.devname && vif.devname.length <= 15 ? vif.devname : `tap${vif.id.slice(0, 11)}`;
}

/** The bridge of the port's network: the VIF details' bridge_name, the network's bridge, or Neutron's brq<network id[:11]>. */
export function bridgeName(vif: VifInfo): string {
  const fromDetails = vif.details['bridge_name'];
  if (typeof fromDetails === 'string' && fromDetails) return fromDetails;
  return vif.network.bridge || `brq${vif.network.id.slice(0, 11)}`;
}

/** [qemu] host_namespace with {host} replaced; undefined when empty (the process's own namespace). */
export function hostNamespace(template: string, host: string): string | undefined {
  const t = template.trim();
  return t ? t.replaceAll('{host}', host) : undefined;
}

/** The MAC of the host side of the tap: the port's with the first byte fe. */
export function tapMac(portMac: string): string {
  return `fe${portMac.slice(2)}`;
}

function run(args: readonly string[]): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ip', args, (err, _stdout, stderr) => resolve({ ok: !err, stderr: (stderr || (err?.message ?? '')).trim() }));
  });
}

export class LinuxBridgeVifPlugger implements VifPlugger {
  /** `namespace`: the host's network namespace (made when missing); undefined: the process's own. */
  constructor(readonly namespace?: string) {}

  /** `ip` in the host's namespace. */
  private ip(args: readonly string[]): Promise<{ ok: boolean; stderr: string }> {
    return run(this.namespace ? ['-n', this.namespace, ...args] : args);
  }

  private async must(args: readonly string[]): Promise<void> {
    const r = await this.ip(args);
    if (!r.ok) throw new VirtualInterfaceCreateException(`ip ${args.join(' ')}: ${r.stderr}`);
  }

  /** The host's namespace, made when missing (a racing maker is not an error). */
  private async ensureNamespace(ns: string): Promise<void> {
    const made = await run(['netns', 'add', ns]);
    if (!made.ok && !/exists/i.test(made.stderr)) throw new VirtualInterfaceCreateException(`network namespace ${ns}: ${made.stderr}`);
    await this.must(['link', 'set', 'lo', 'up']);
  }

  async plug(vif: VifInfo): Promise<string> {
    if (this.namespace) await this.ensureNamespace(this.namespace);
    const tap = tapName(vif);
    const bridge = bridgeName(vif);
    if (!(await this.ip(['link', 'show', 'dev', bridge])).ok) {
      const made = await this.ip(['link', 'add', bridge, 'type', 'bridge']);
      if (!made.ok && !(await this.ip(['link', 'show', 'dev', bridge])).ok) throw new VirtualInterfaceCreateException(`bridge ${bridge}: ${made.stderr}`);
      await this.must(['link', 'set', bridge, 'up']);
    }
    if (!(await this.ip(['link', 'show', 'dev', tap])).ok) await this.must(['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    await this.must(['link', 'set', 'dev', tap, 'address', tapMac(vif.address)]);
    await this.must(['link', 'set', 'dev', tap, 'master', bridge]);
    await this.must(['link', 'set', 'dev', tap, 'up']);
    return tap;
  }

  async unplug(vif: VifInfo): Promise<void> {
    await this.ip(['link', 'del', 'dev', tapName(vif)]);
  }
}
