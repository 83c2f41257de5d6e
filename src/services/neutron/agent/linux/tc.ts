/**
 * Traffic control on one device for QoS bandwidth limits (neutron/agent/linux/tc_lib.py
 * TcCommand, as the Linux bridge agent uses it): traffic the device receives (what a VM sends
 * into its tap) is policed by an `ingress` qdisc with a u32 match-all filter at priority 49
 * dropping above the rate; traffic the device sends (what reaches the VM) is shaped by a
 * `tbf` root qdisc. Rates are kbit/s; bursts are kbit, as the API gives them. Reading back is
 * `tc -j`.
 */
import { CommandError, execute } from './exec.js';

/** [QOS] kernel_hz and tbf_latency defaults of the Linux bridge agent. */
export const DEFAULT_KERNEL_HZ = 250;
export const DEFAULT_TBF_LATENCY_MS = 50;
/** qos_consts.DEFAULT_BURST_RATE: a policer without a burst gets 80% of its rate. */
const DEFAULT_BURST_RATE = 0.8;
const MAX_MTU_VALUE = 65535;
const POLICER_PRIORITY = '49';

export interface TcQdisc {
  kind: string;
  handle: string;
  root?: boolean;
  parent?: string;
  options?: { rate?: number; burst?: number; lat?: number };
}

export interface TcFilter {
  kind?: string;
  options?: { actions?: Array<{ kind: string; rate?: string; burst?: string; control_action?: { type: string } }> };
}

/** A `tc` that cannot find what is deleted: the device has no such qdisc (or no longer exists). */
function isMissing(err: unknown): boolean {
  return err instanceof CommandError && /Cannot find|No such file|Invalid handle|Cannot delete qdisc with handle of zero|not found/i.test(err.stderr);
}

export class TcCommand {
  constructor(private readonly device: string, private readonly namespace: string | undefined, private readonly kernelHz = DEFAULT_KERNEL_HZ) {}

  private tc(args: readonly string[]): Promise<string> {
    return execute('tc', args, this.namespace ? { namespace: this.namespace } : {});
  }

  private async ignoreMissing(args: readonly string[]): Promise<void> {
    await this.tc(args).catch((err: unknown) => { if (!isMissing(err)) throw err; });
  }

  /** get_ingress_qdisc_burst_value */
  static policerBurstKb(maxKbps: number, burstKb: number): number {
    return burstKb ? burstKb : maxKbps * DEFAULT_BURST_RATE;
  }

  /** set_filters_bw_limit: the ingress qdisc is made anew (tc cannot replace a filter in place). */
  async setFiltersBwLimit(maxKbps: number, burstKb: number): Promise<void> {
    await this.deleteFiltersBwLimit();
    await this.tc(['qdisc', 'add', 'dev', this.device, 'ingress']);
    const burstBytes = Math.trunc((TcCommand.policerBurstKb(maxKbps, burstKb) * 1000) / 8);
    await this.tc([
      'filter', 'add', 'dev', this.device, 'parent', 'ffff:', 'protocol', 'all', 'prio', POLICER_PRIORITY, 'u32', 'match', 'u32', '0', '0',
      'police', 'rate', `${maxKbps}kbit`, 'burst', `${burstBytes}b`, 'mtu', String(MAX_MTU_VALUE), 'drop',
    ]);
  }

  async deleteFiltersBwLimit(): Promise<void> {
    await this.ignoreMissing(['qdisc', 'del', 'dev', this.device, 'ingress']);
  }

  /** set_tbf_bw_limit: the burst is at least what the rate sends in one kernel tick. */
  async setTbfBwLimit(maxKbps: number, burstKb: number, latencyMs = DEFAULT_TBF_LATENCY_MS): Promise<void> {
    const burstBytes = Math.trunc((Math.max(maxKbps / this.kernelHz, burstKb) * 1000) / 8);
    await this.tc(['qdisc', 'replace', 'dev', this.device, 'root', 'tbf', 'rate', `${maxKbps}kbit`, 'burst', `${burstBytes}b`, 'latency', `${latencyMs}ms`]);
  }

  async deleteTbfBwLimit(): Promise<void> {
    await this.ignoreMissing(['qdisc', 'del', 'dev', this.device, 'root']);
  }

  async qdiscs(): Promise<TcQdisc[]> {
    const out = (await this.tc(['-j', 'qdisc', 'show', 'dev', this.device])).trim();
    return out ? (JSON.parse(out) as TcQdisc[]) : [];
  }

  async ingressFilters(): Promise<TcFilter[]> {
    const out = (await this.tc(['-j', 'filter', 'show', 'dev', this.device, 'parent', 'ffff:'])).trim();
    return out ? (JSON.parse(out) as TcFilter[]) : [];
  }
}
