/**
 * Links of one network namespace (ip_lib.IpLinkCommand and IPWrapper.add_veth / add_vxlan /
 * add_bridge): read with `ip -details -json link`, changed with `ip link` argument arrays.
 * `namespace` undefined is the process's own namespace.
 */
import { CommandError, ip, ipJson } from './exec.js';

/** One link as iproute2 reports it (the fields Nubo reads). */
export interface LinkInfo {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  address?: string;
  /** The bridge it is plugged into. */
  master?: string;
  /** A veth's peer, when in the same namespace. */
  link?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_data?: Record<string, unknown> };
}

export interface VxlanOptions {
  name: string;
  vni: number;
  /** The local tunnel endpoint address. */
  local?: string;
  /** A multicast group to flood to; without it, flooding follows the FDB entries (l2population). */
  group?: string;
  /** The underlay device (needed with a multicast group). */
  dev?: string;
  dstport?: number;
  ttl?: number;
  /** Answer ARP from the neighbour table (l2population's ARP responder). */
  proxy?: boolean;
}

/** Is the error iproute2's "no such device". */
export function isNoSuchDevice(err: unknown): boolean {
  return err instanceof CommandError && /(does not exist|Cannot find device|No such device)/.test(err.stderr);
}

export class IpLink {
  constructor(readonly namespace?: string) {}

  private run(args: string[]): Promise<string> {
    return ip(this.namespace, args);
  }

  async list(): Promise<LinkInfo[]> {
    return ipJson<LinkInfo>(this.namespace, ['-details', 'link', 'show']);
  }

  /** The link, or undefined when there is none of that name. */
  async get(name: string): Promise<LinkInfo | undefined> {
    try {
      return (await ipJson<LinkInfo>(this.namespace, ['-details', 'link', 'show', 'dev', name]))[0];
    } catch (err) {
      if (isNoSuchDevice(err)) return undefined;
      throw err;
    }
  }

  async exists(name: string): Promise<boolean> {
    return (await this.get(name)) !== undefined;
  }

  /** A veth pair; the peer is created straight in `peerNamespace` when given. */
  async addVeth(name: string, peer: string, peerNamespace?: string): Promise<void> {
    await this.run(['link', 'add', name, 'type', 'veth', 'peer', 'name', peer, ...(peerNamespace ? ['netns', peerNamespace] : [])]);
  }

  async addBridge(name: string): Promise<void> {
    await this.run(['link', 'add', name, 'type', 'bridge']);
  }

  async addVxlan(o: VxlanOptions): Promise<void> {
    const args = ['link', 'add', o.name, 'type', 'vxlan', 'id', String(o.vni)];
    if (o.group) args.push('group', o.group);
    if (o.dev) args.push('dev', o.dev);
    if (o.local) args.push('local', o.local);
    args.push('dstport', String(o.dstport ?? 4789));
    if (o.ttl) args.push('ttl', String(o.ttl));
    if (o.proxy) args.push('proxy');
    await this.run(args);
  }

  async setUp(name: string): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'up']);
  }

  async setDown(name: string): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'down']);
  }

  async setMtu(name: string, mtu: number): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'mtu', String(mtu)]);
  }

  async setAddress(name: string, mac: string): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'address', mac]);
  }

  /** Plugs the link into a bridge. */
  async setMaster(name: string, bridge: string): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'master', bridge]);
  }

  async setNoMaster(name: string): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'nomaster']);
  }

  /** Moves the link to another namespace (undefined: the process's own, pid 1's). */
  async setNamespace(name: string, namespace: string | undefined): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'netns', namespace ?? '1']);
  }

  async rename(name: string, newName: string): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'name', newName]);
  }

  /** Deletes the link; a missing one is no error. */
  async delete(name: string): Promise<void> {
    try {
      await this.run(['link', 'delete', 'dev', name]);
    } catch (err) {
      if (!isNoSuchDevice(err)) throw err;
    }
  }
}
