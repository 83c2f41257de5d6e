/**
 * The iptables metering driver (IptablesMeteringDriver): per router it knows, the labels that
 * apply with their rules, kept in the router's qrouter- namespace as meter-rules.ts builds
 * them on its gateway device. A router without a gateway, or whose namespace is not (yet) on
 * this host, has no chains; it is applied again by the measure loop (sync_router_namespaces)
 * once it can be. Counters are read and zeroed per label chain (`iptables -L -Z`) and summed
 * per label over the routers; a label's chains that go (label removed, router gone) are read
 * first, so their last packets are still reported.
 */
import type { Logger } from '../../../../common/log/logger.js';
import type { MeteringLabelRule, MeteringRouter } from '../../types/metering.js';
import { run } from '../firewall/commands.js';
import { EXTERNAL_DEV_PREFIX } from '../l3/router-info.js';
import { namespaceDeviceName, routerNamespace } from '../linux/names.js';
import { namespaceExists } from '../linux/netns.js';
import { labelChain, labelChainsIn, type MeteredLabel, meteringRestoreInput, parseCounters, TOP_CHAIN } from './meter-rules.js';

export interface TrafficCounter {
  pkts: number;
  bytes: number;
}

interface RouterState {
  router: MeteringRouter;
  labels: Map<string, MeteredLabel>;
  /** The namespace holds the labels' chains as they are (false: to be applied by the next sync). */
  applied: boolean;
}

const IPT_WAIT = ['-w', '5'];

export class IptablesMeteringDriver {
  private readonly routers = new Map<string, RouterState>();
  /** Counts read from chains since gone, reported with the next counters. */
  private readonly pending = new Map<string, TrafficCounter>();

  constructor(private readonly log: Logger) {}

  routerIds(): string[] {
    return [...this.routers.keys()];
  }

  /** update_routers: the full data; routers not in it are forgotten (their chains removed). */
  async updateRouters(routers: readonly MeteringRouter[]): Promise<void> {
    const given = new Set(routers.map((r) => r.id));
    for (const id of [...this.routers.keys()]) if (!given.has(id)) await this.removeRouter(id);
    for (const r of routers) {
      const labels = new Map(r._metering_labels.map((l) => [l.id, { id: l.id, rules: [...(l.rules ?? [])] }]));
      const before = this.routers.get(r.id);
      if (before) await this.harvest(before, [...before.labels.keys()].filter((id) => !labels.has(id)));
      await this.apply(this.stateOf(r, labels));
    }
  }

  /** add_metering_label: the labels with all their rules, on these routers. */
  async addLabels(routers: readonly MeteringRouter[]): Promise<void> {
    for (const r of routers) {
      const s = this.stateOf(r);
      for (const l of r._metering_labels) s.labels.set(l.id, { id: l.id, rules: [...(l.rules ?? [])] });
      await this.apply(s);
    }
  }

  async removeLabels(routers: readonly MeteringRouter[]): Promise<void> {
    for (const r of routers) {
      const s = this.routers.get(r.id);
      if (!s) continue;
      await this.harvest(s, r._metering_labels.map((l) => l.id).filter((id) => s.labels.has(id)));
      for (const l of r._metering_labels) s.labels.delete(l.id);
      await this.apply(s);
    }
  }

  /** add/remove_metering_label_rule: one rule of a label, on routers this driver knows (others come with the next sync). */
  async changeRule(routers: readonly MeteringRouter[], action: 'add' | 'remove'): Promise<void> {
    for (const r of routers) {
      const s = this.routers.get(r.id);
      if (!s) continue;
      s.router = r;
      for (const l of r._metering_labels) {
        if (!l.rule) continue;
        const rule: MeteringLabelRule = l.rule;
        const current = s.labels.get(l.id) ?? { id: l.id, rules: [] };
        const others = current.rules.filter((x) => x.id !== rule.id);
        s.labels.set(l.id, { id: l.id, rules: action === 'add' ? [...others, rule] : others });
      }
      await this.apply(s);
    }
  }

  /** update_metering_label_rules: the labels' rules replaced. */
  async updateRules(routers: readonly MeteringRouter[]): Promise<void> {
    for (const r of routers) {
      const s = this.routers.get(r.id);
      if (!s) continue;
      for (const l of r._metering_labels) s.labels.set(l.id, { id: l.id, rules: [...(l.rules ?? [])] });
      await this.apply(s);
    }
  }

  /** remove_router: its counts kept for the next report, its chains removed while the namespace is there. */
  async removeRouter(id: string): Promise<void> {
    const s = this.routers.get(id);
    if (!s) return;
    this.routers.delete(id);
    await this.harvest(s, [...s.labels.keys()]);
    s.labels.clear();
    await this.apply(s).catch((err: unknown) => this.log.debug({ err, router: id }, 'metering: chains of a removed router not removed'));
  }

  /** sync_router_namespaces: routers not applied yet (namespace missing, chains lost) are applied again. */
  async syncNamespaces(): Promise<void> {
    for (const s of this.routers.values()) if (!s.applied) await this.apply(s);
  }

  /** get_traffic_counters (not granular): per label, read and zeroed on every router, plus the counts of chains since gone. */
  async trafficCounters(): Promise<Map<string, TrafficCounter>> {
    const out = new Map(this.pending);
    this.pending.clear();
    for (const s of this.routers.values()) {
      if (!s.applied) continue;
      for (const id of s.labels.keys()) {
        try {
          add(out, id, await this.readCounters(routerNamespace(s.router.id), labelChain(id)));
        } catch (err) {
          this.log.warn({ err, router: s.router.id }, 'metering: failed to get traffic counters; the router is configured again');
          s.applied = false;
        }
      }
    }
    return out;
  }

  private stateOf(r: MeteringRouter, labels?: Map<string, MeteredLabel>): RouterState {
    const s = this.routers.get(r.id) ?? { router: r, labels: new Map(), applied: false };
    s.router = r;
    if (labels) s.labels = labels;
    this.routers.set(r.id, s);
    return s;
  }

  private async readCounters(ns: string, chain: string): Promise<TrafficCounter> {
    return parseCounters((await run('iptables', [...IPT_WAIT, '-t', 'filter', '-L', chain, '-n', '-v', '-x', '-Z'], { netns: ns })).stdout);
  }

  /** The namespace's metering chains made to match the router's labels (none without a gateway). */
  private async apply(s: RouterState): Promise<void> {
    const ns = routerNamespace(s.router.id);
    if (!(await namespaceExists(ns))) {
      s.applied = false;
      return;
    }
    const existing = labelChainsIn((await run('iptables-save', ['-t', 'filter'], { netns: ns })).stdout);
    const gw = s.router.gw_port_id;
    if (!gw) await this.harvest(s, [...s.labels.keys()]);
    const labels = gw ? [...s.labels.values()] : [];
    if (!labels.length && !existing.length) {
      s.applied = true;
      return;
    }
    const hasTopJump = await run('iptables', [...IPT_WAIT, '-t', 'filter', '-C', 'FORWARD', '-j', TOP_CHAIN], { netns: ns }).then(() => true, () => false);
    const input = meteringRestoreInput({ device: namespaceDeviceName(EXTERNAL_DEV_PREFIX, gw ?? ''), labels, existing, hasTopJump });
    await run('iptables-restore', [...IPT_WAIT, '--noflush'], { netns: ns, input });
    s.applied = true;
  }

  /** The counts of labels about to go from the router, kept for the next report. */
  private async harvest(s: RouterState, labelIds: readonly string[]): Promise<void> {
    if (!s.applied) return;
    for (const id of labelIds) {
      add(this.pending, id, await this.readCounters(routerNamespace(s.router.id), labelChain(id)).catch(() => ({ pkts: 0, bytes: 0 })));
    }
  }
}

function add(m: Map<string, TrafficCounter>, id: string, c: TrafficCounter): void {
  const acc = m.get(id) ?? { pkts: 0, bytes: 0 };
  m.set(id, { pkts: acc.pkts + c.pkts, bytes: acc.bytes + c.bytes });
}
