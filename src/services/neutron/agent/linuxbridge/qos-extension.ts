/**
 * The QoS extension of the Linux bridge agent (neutron/agent/l2/extensions/qos.py with the
 * Linux bridge QoS driver, extension_drivers/qos_driver.py): for each port it handles, the
 * policy it has (its own, else its network's) is pulled from the server and its bandwidth
 * limit rules are applied on the tap: `egress` (from the VM) as a policer on the tap's
 * ingress, `ingress` (to the VM) as a tbf qdisc. A rule that goes, or a port left without a
 * policy, has its tc state removed. What was applied is remembered per tap, as upstream's
 * policy map, so a port without a policy that this agent never limited is not touched; a port
 * with a policy it has not handled yet has what the policy lacks cleared first (state left
 * from before an agent restart).
 * A DSCP marking rule marks what the port sends with an iptables mangle chain (linux/dscp.ts).
 * Minimum bandwidth rules are not applied (the Linux bridge driver does not support them).
 */
import type { DeviceDetails } from '../../rpc/payloads.js';
import { ruleTypeOfObject, type ObjectPrimitive } from '../../rpc/resources.js';
import { EGRESS, INGRESS, RULE_TYPE_BANDWIDTH_LIMIT, RULE_TYPE_DSCP_MARKING } from '../../types/qos.js';
import { DscpMarking } from '../linux/dscp.js';
import { DEFAULT_KERNEL_HZ, DEFAULT_TBF_LATENCY_MS, TcCommand } from '../linux/tc.js';

export interface BandwidthLimit {
  maxKbps: number;
  burstKb: number;
}

/** What QoS a tap has: a limit per direction (API directions: egress leaves the VM). */
export interface TapQos {
  egress?: BandwidthLimit;
  ingress?: BandwidthLimit;
  dscp?: number;
}

export interface QosExtensionOptions {
  hostNamespace: string | undefined;
  /** pull(QosPolicy, id): the policy primitive, or null when it is gone. */
  pullPolicy(policyId: string): Promise<ObjectPrimitive | null>;
  kernelHz?: number;
  tbfLatencyMs?: number;
}

/** The bandwidth limits of a QosPolicy primitive, by direction, and its DSCP mark. */
export function limitsOf(policy: ObjectPrimitive | null): TapQos {
  const out: TapQos = {};
  const rules = (policy?.['versioned_object.data'].rules ?? []) as ObjectPrimitive[];
  for (const r of rules) {
    const type = ruleTypeOfObject(r['versioned_object.name']);
    const d = r['versioned_object.data'];
    if (type === RULE_TYPE_DSCP_MARKING) out.dscp = Number(d.dscp_mark);
    if (type !== RULE_TYPE_BANDWIDTH_LIMIT) continue;
    const limit = { maxKbps: Number(d.max_kbps), burstKb: Number(d.max_burst_kbps ?? 0) };
    if (d.direction === INGRESS) out.ingress = limit;
    else if (d.direction === EGRESS || d.direction === undefined) out.egress = limit;
  }
  return out;
}

const same = (a: BandwidthLimit | undefined, b: BandwidthLimit | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.maxKbps === b.maxKbps && a.burstKb === b.burstKb);

export class QosAgentExtension {
  /** tap -> what was applied on it. */
  readonly applied = new Map<string, TapQos>();

  constructor(private readonly o: QosExtensionOptions) {}

  /** handle_port: the port's policy applied on its tap. */
  async handlePort(details: DeviceDetails): Promise<void> {
    const policyId = details.qos_policy_id ?? details.network_qos_policy_id ?? null;
    const before = this.applied.get(details.device);
    if (!policyId && !before) return;
    const wanted = policyId ? limitsOf(await this.o.pullPolicy(policyId)) : {};
    const tc = new TcCommand(details.device, this.o.hostNamespace, this.o.kernelHz ?? DEFAULT_KERNEL_HZ);
    // each direction on its own: one that fails (a kernel without the police action) leaves the other applied
    const now: TapQos = { ...before };
    const errors: unknown[] = [];
    const apply = async (dir: 'egress' | 'ingress', set: (l: BandwidthLimit) => Promise<void>, clear: () => Promise<void>): Promise<void> => {
      if (before && same(before[dir], wanted[dir])) return;
      try {
        const limit = wanted[dir];
        if (limit) await set(limit);
        else await clear();
        if (limit) now[dir] = limit;
        else delete now[dir];
      } catch (err) {
        errors.push(err);
      }
    };
    await apply('egress', (l) => tc.setFiltersBwLimit(l.maxKbps, l.burstKb), () => tc.deleteFiltersBwLimit());
    await apply('ingress', (l) => tc.setTbfBwLimit(l.maxKbps, l.burstKb, this.o.tbfLatencyMs ?? DEFAULT_TBF_LATENCY_MS), () => tc.deleteTbfBwLimit());
    if (!before || before.dscp !== wanted.dscp) {
      const dscp = new DscpMarking(this.o.hostNamespace);
      try {
        if (wanted.dscp !== undefined) await dscp.set(details.device, wanted.dscp);
        else await dscp.clear(details.device);
        if (wanted.dscp !== undefined) now.dscp = wanted.dscp;
        else delete now.dscp;
      } catch (err) {
        errors.push(err);
      }
    }
    if (now.egress || now.ingress || now.dscp !== undefined) this.applied.set(details.device, now);
    else this.applied.delete(details.device);
    if (errors.length) throw errors[0];
  }

  /** delete_port: the tap is gone, and its tc state with it; its DSCP chain is removed. */
  async portRemoved(device: string): Promise<void> {
    const had = this.applied.get(device);
    this.applied.delete(device);
    if (had?.dscp !== undefined) await new DscpMarking(this.o.hostNamespace).clear(device);
  }
}
