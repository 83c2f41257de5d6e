/**
 * The QoS extension of the Linux bridge agent (neutron/agent/l2/extensions/qos.py with the
 * Linux bridge QoS driver, extension_drivers/qos_driver.py): for each port it handles, the
 * policy it has (its own, else its network's) is pulled from the server and its bandwidth
 * limit rules are applied on the tap: `egress` (from the VM) as a policer on the tap's
 * ingress, `ingress` (to the VM) as a tbf qdisc. A rule that goes, or a port left without a
 * policy, has its tc state removed. What was applied is remembered per tap, as upstream's
 * policy map, so a port without a policy that this agent never limited is not touched.
 * DSCP marking rules are not applied by this agent (nor minimum bandwidth, which the Linux
 * bridge driver does not support).
 */
import type { DeviceDetails } from '../../rpc/payloads.js';
import { ruleTypeOfObject, type ObjectPrimitive } from '../../rpc/resources.js';
import { EGRESS, INGRESS, RULE_TYPE_BANDWIDTH_LIMIT } from '../../types/qos.js';
import { DEFAULT_KERNEL_HZ, DEFAULT_TBF_LATENCY_MS, TcCommand } from '../linux/tc.js';

export interface BandwidthLimit {
  maxKbps: number;
  burstKb: number;
}

/** What QoS a tap has: a limit per direction (API directions: egress leaves the VM). */
export interface TapQos {
  egress?: BandwidthLimit;
  ingress?: BandwidthLimit;
}

export interface QosExtensionOptions {
  hostNamespace: string | undefined;
  /** pull(QosPolicy, id): the policy primitive, or null when it is gone. */
  pullPolicy(policyId: string): Promise<ObjectPrimitive | null>;
  kernelHz?: number;
  tbfLatencyMs?: number;
}

/** The bandwidth limits of a QosPolicy primitive, by direction. */
export function limitsOf(policy: ObjectPrimitive | null): TapQos {
  const out: TapQos = {};
  const rules = (policy?.['versioned_object.data'].rules ?? []) as ObjectPrimitive[];
  for (const r of rules) {
    if (ruleTypeOfObject(r['versioned_object.name']) !== RULE_TYPE_BANDWIDTH_LIMIT) continue;
    const d = r['versioned_object.data'];
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
    const apply = async (dir: keyof TapQos, set: (l: BandwidthLimit) => Promise<void>, clear: () => Promise<void>): Promise<void> => {
      if (same(before?.[dir], wanted[dir])) return;
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
    if (now.egress || now.ingress) this.applied.set(details.device, now);
    else this.applied.delete(details.device);
    if (errors.length) throw errors[0];
  }

  /** delete_port: the tap is gone, and its tc state with it. */
  portRemoved(device: string): void {
    this.applied.delete(device);
  }
}
