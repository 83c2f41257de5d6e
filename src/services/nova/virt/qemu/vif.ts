/**
 * Plugging a guest's ports on the host, as os-vif's linux bridge plugin with libvirt does: the
 * bridge named by the VIF (created when missing, as os-vif's ensure_bridge), and a tap
 * tap<port id[:11]> on it that QEMU opens. The tap's own MAC is the port's with the first
 * byte fe (libvirt's rule: the host side must not answer for the guest's address); the guest's
 * NIC has the port's MAC. Behind the VifPlugger interface so that the Neutron data plane (or a
 * test) can plug differently.
 */
import { execFile } from 'node:child_process';
import { VirtualInterfaceCreateException } from '../../errors.js';
import type { VifInfo } from '../../objects/index.js';

export interface VifPlugger {
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

/** The MAC of the host side of the tap: the port's with the first byte fe. */
export function tapMac(portMac: string): string {
  return `fe${portMac.slice(2)}`;
}

function ip(args: readonly string[]): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    execFile('ip', args, (err, _stdout, stderr) => resolve({ ok: !err, stderr: (stderr || (err?.message ?? '')).trim() }));
  });
}

async function must(args: readonly string[]): Promise<void> {
  const r = await ip(args);
  if (!r.ok) throw new VirtualInterfaceCreateException(`ip ${args.join(' ')}: ${r.stderr}`);
}

export class LinuxBridgeVifPlugger implements VifPlugger {
  async plug(vif: VifInfo): Promise<string> {
    const tap = tapName(vif);
    const bridge = bridgeName(vif);
    if (!(await ip(['link', 'show', 'dev', bridge])).ok) {
      const made = await ip(['link', 'add', bridge, 'type', 'bridge']);
      if (!made.ok && !(await ip(['link', 'show', 'dev', bridge])).ok) throw new VirtualInterfaceCreateException(`bridge ${bridge}: ${made.stderr}`);
      await must(['link', 'set', bridge, 'up']);
    }
    if (!(await ip(['link', 'show', 'dev', tap])).ok) await must(['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
    await must(['link', 'set', 'dev', tap, 'address', tapMac(vif.address)]);
    await must(['link', 'set', 'dev', tap, 'master', bridge]);
    await must(['link', 'set', 'dev', tap, 'up']);
    return tap;
  }

  async unplug(vif: VifInfo): Promise<void> {
    await ip(['link', 'del', 'dev', tapName(vif)]);
  }
}
