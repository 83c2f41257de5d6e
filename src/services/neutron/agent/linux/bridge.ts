/**
 * The bridge tool (bridge_lib.FdbInterface): forwarding-database entries of VXLAN devices, the
 * unicast flooding list and per-MAC entries that l2population programs instead of multicast.
 */
import { execute } from './exec.js';

export interface FdbEntry {
  mac: string;
  ifname: string;
  dst?: string;
  flags?: string[];
  state?: string;
}

/** The all-zero MAC: the flooding entries of a VXLAN device (one per remote endpoint). */
export const FLOODING_ENTRY = '00:00:00:00:00:00';

export class BridgeFdb {
  constructor(readonly namespace?: string) {}

  private run(args: string[]): Promise<string> {
    return execute('bridge', this.namespace ? ['-netns', this.namespace, ...args] : args);
  }

  async list(dev: string): Promise<FdbEntry[]> {
    const out = (await this.run(['-json', 'fdb', 'show', 'dev', dev])).trim();
    return out ? (JSON.parse(out) as FdbEntry[]) : [];
  }

  /** `append` adds a further destination for the MAC (flooding to several endpoints). */
  async append(mac: string, dev: string, dst: string): Promise<void> {
    await this.run(['fdb', 'append', mac, 'dev', dev, 'dst', dst]);
  }

  async replace(mac: string, dev: string, dst: string): Promise<void> {
    await this.run(['fdb', 'replace', mac, 'dev', dev, 'dst', dst]);
  }

  async delete(mac: string, dev: string, dst: string): Promise<void> {
    await this.run(['fdb', 'delete', mac, 'dev', dev, 'dst', dst]);
  }
}
