/**
 * The security-group firewall driver (Neutron's IptablesFirewallDriver with its
 * IptablesManager, and the Linux bridge agent's ARP protection): it keeps the filtered
 * ports, the groups' rules and members, and after every change writes the rule set again
 * (the chains that changed), atomically: `iptables-restore --noflush` / `ip6tables-restore --noflush` for the
 * filter and raw tables (our chains only, each IP version in one transaction) and `nft -f`
 * for the bridge's MAC/ARP table; of these three, only the ones whose text differs from the
 * last one applied run (an IPv4 rule change is one iptables-restore, not three programs), and
 * a restore writes only the chains whose rules changed (iptables-rules.ts Table.render).
 * Changes that come while an apply runs are folded into the next one, so a rule change is on
 * the wire as soon as one apply takes (milliseconds).
 * Established connections keep their conntrack entries across applies.
 *
 * After an apply, the conntrack entries of connections that a removed rule, a group the port
 * left or a remote group's departed member allowed are deleted (conntrack.ts; all of one
 * apply's with one listing of the table), so those connections are cut too; with `stateFile`, also after a restart for the changes made while
 * the agent was down (applied-state.ts).
 *
 * A rule naming a remote group matches the group's ipset (ipset-sets.ts, ipset-manager.ts):
 * a member joining or leaving refills the set (an atomic swap) and writes no iptables chain.
 * With `ipset: false`, or without the ipset program, it is one rule per member instead
 * (Neutron's enable_ipset = False).
 *
 * A port whose groups are stateless (their rules say stateful: false) is not tracked: its traffic
 * is NOTRACK in the raw table and its chains have no RELATED/ESTABLISHED shortcut (nor INVALID
 * drop), so replies need rules of their own, as with Neutron's stateless security groups.
 */
import { rmSync } from 'node:fs';
import type { Logger } from '../../../../common/log/logger.js';
import { normalizeMac } from '../../common/mac.js';
import { parseCidr, type IpVersion } from '../../common/netaddr.js';
import { type AppliedState, AppliedStateFile, emptyState } from './applied-state.js';
import { CommandError, run } from './commands.js';
import { ConntrackCleaner, type ConntrackTarget } from './conntrack.js';
import { CHAIN_PREFIX, FORWARD_CHAIN, INPUT_CHAIN, PREROUTING_CHAIN, filterTable, rawTable } from './iptables-rules.js';
import { IpsetManager } from './ipset-manager.js';
import { type IpsetSpec, wantedSets } from './ipset-sets.js';
import { l2Script } from './l2-rules.js';
import type { EtherType, FirewallDriver, FirewallPort, FirewallRule, GroupMembers } from './types.js';

export interface IptablesFirewallOptions {
  /** Network namespace the bridges are in (unset: the host's). */
  netns?: string;
  log?: Logger;
  /** Also filter IPv6 (default true). */
  ipv6?: boolean;
  /** Where what was applied is kept for a restarted agent (applied-state.ts); unset: not kept. */
  stateFile?: string;
  /** Remote groups as ipsets (`[securitygroup] enable_ipset`, default true); without the ipset program: one rule per member. */
  ipset?: boolean;
}

/** Bad port or rule data: nothing of it reaches the kernel. */
export class FirewallInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FirewallInputError';
  }
}

const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;
const PROTOCOL = /^[A-Za-z0-9-]{1,32}$/;
const MAX_ZONE = 65535;

/** Our chains hooked into the built-in chains: [table, built-in chain, ours]. */
const HOOKS = [['filter', 'FORWARD', FORWARD_CHAIN], ['filter', 'INPUT', INPUT_CHAIN], ['raw', 'PREROUTING', PREROUTING_CHAIN]] as const;

function checkPort(port: FirewallPort): FirewallPort {
  const bad = (what: string) => new FirewallInputError(`port ${port.id}: ${what}`);
  if (!DEVICE_NAME.test(port.device)) throw bad(`invalid device name '${port.device}'`);
  if (port.bridge !== undefined && !DEVICE_NAME.test(port.bridge)) throw bad(`invalid bridge name '${port.bridge}'`);
  const mac = normalizeMac(port.mac_address);
  if (!mac) throw bad(`invalid MAC address '${port.mac_address}'`);
  for (const ip of port.fixed_ips) if (!parseCidr(ip, true)) throw bad(`invalid fixed IP '${ip}'`);
  const pairs = (port.allowed_address_pairs ?? []).map((p) => {
    const pairMac = normalizeMac(p.mac_address);
    if (!pairMac || !parseCidr(p.ip_address, true)) throw bad(`invalid allowed address pair ${JSON.stringify(p)}`);
    return { ip_address: p.ip_address, mac_address: pairMac };
  });
  return { ...port, mac_address: mac, fixed_ips: [...port.fixed_ips], allowed_address_pairs: pairs, security_groups: [...port.security_groups] };
}

function checkRule(groupId: string, rule: FirewallRule): FirewallRule {
  const bad = (what: string) => new FirewallInputError(`security group ${groupId}: ${what}`);
  if (rule.direction !== 'ingress' && rule.direction !== 'egress') throw bad(`invalid direction '${String(rule.direction)}'`);
  if (rule.ethertype !== 'IPv4' && rule.ethertype !== 'IPv6') throw bad(`invalid ethertype '${String(rule.ethertype)}'`);
  if (rule.protocol && !PROTOCOL.test(rule.protocol)) throw bad(`invalid protocol '${rule.protocol}'`);
  for (const v of [rule.port_range_min, rule.port_range_max]) {
    if (v !== undefined && v !== null && !(Number.isInteger(v) && v >= 0 && v <= 65535)) throw bad(`invalid port or ICMP value '${String(v)}'`);
  }
  if (rule.remote_ip_prefix && !parseCidr(rule.remote_ip_prefix, true)) throw bad(`invalid remote_ip_prefix '${rule.remote_ip_prefix}'`);
  return { ...rule };
}

/** What makes two rules the same rule (to find the ones an update removed). */
function ruleKey(r: FirewallRule): string {
  return JSON.stringify([r.direction, r.ethertype, r.protocol ?? null, r.port_range_min ?? null, r.port_range_max ?? null, r.remote_ip_prefix ?? null, r.remote_group_id ?? null,
    r.remote_address_group_id ?? null, r.stateful ?? true]);
}

const ETHERTYPES: readonly EtherType[] = ['IPv4', 'IPv6'];

function checkMembers(groupId: string, members: GroupMembers): GroupMembers {
  const out: GroupMembers = {};
  for (const type of ['IPv4', 'IPv6'] as const) {
    const ips = members[type] ?? [];
    for (const ip of ips) if (!parseCidr(ip, true)) throw new FirewallInputError(`security group ${groupId}: invalid member IP '${ip}'`);
    out[type] = [...ips];
  }
  return out;
}

export class IptablesFirewall implements FirewallDriver {
  private readonly filtered = new Map<string, FirewallPort>();
  private readonly rules = new Map<string, FirewallRule[]>();
  private readonly members = new Map<string, GroupMembers>();
  private readonly zones = new Map<string, number>();
  /** Our chains as of the last apply, per restore command and table. */
  private readonly applied = new Map<string, string[]>();
  /** Our chains' rules as the last successful restore left them, per restore command and table: only changed chains are written again. */
  private readonly written = new Map<string, Map<string, string>>();
  private l2Loaded: string | undefined;
  private hooked = false;
  /** What a previous run left (read once, before the first change): see recover(). */
  private recovered: Promise<void> | undefined;
  private readonly previousZones = new Map<string, number>();
  /** What the last run applied (from the state file), each entry dropped once the new state of it is known. */
  private previous: AppliedState = emptyState();
  private readonly stateFile: AppliedStateFile | undefined;
  /** deferApply depth, and the conntrack clean-ups waiting for the next apply. */
  private deferred = 0;
  private readonly cleanups: Array<() => Promise<void>> = [];
  /** The apply that runs now, and the one that waits for it (joined by every later change). */
  private running: Promise<void> | undefined;
  private waiting: Promise<void> | undefined;

  private readonly conntrack: ConntrackCleaner;
  private readonly ipsets: IpsetManager;
  /** Whether remote groups are ipsets (enabled and the ipset program works; known once recovered). */
  private useIpset = false;

  constructor(private readonly o: IptablesFirewallOptions = {}) {
    this.conntrack = new ConntrackCleaner(o.netns, o.log);
    this.stateFile = o.stateFile ? new AppliedStateFile(o.stateFile) : undefined;
    this.ipsets = new IpsetManager(o.netns, o.log);
  }

  /** The last run's entry of `key`, taken (consulted once). */
  private takePrevious<T>(map: Map<string, T>, key: string): T | undefined {
    const value = map.get(key);
    map.delete(key);
    return value;
  }

  /** A port with the conntrack zone its connections are in. */
  private target(port: FirewallPort): ConntrackTarget {
    return { port, zone: port.bridge ? this.zones.get(port.network_id) : undefined };
  }

  private portsIn(groupId: string): ConntrackTarget[] {
    return [...this.filtered.values()].filter((p) => p.port_security_enabled && p.security_groups.includes(groupId)).map((p) => this.target(p));
  }

  get ports(): ReadonlyMap<string, FirewallPort> {
    return this.filtered;
  }

  private get versions(): IpVersion[] {
    return this.o.ipv6 === false ? [4] : [4, 6];
  }

  async preparePortFilter(port: FirewallPort): Promise<void> {
    const checked = checkPort(port);
    await this.recover();
    const known = this.filtered.has(checked.device);
    if (known) this.o.log?.warn({ device: checked.device }, 'firewall: port filter already prepared, updating it');
    // the port as the last run filtered it: groups it left meanwhile no longer allow its connections
    const before = known ? undefined : this.takePrevious(this.previous.ports, checked.device);
    this.filtered.set(checked.device, checked);
    this.assignZone(checked.network_id, checked.device);
    const leftGroup = before && checked.port_security_enabled && before.security_groups.some((g) => !checked.security_groups.includes(g));
    await this.changed(leftGroup ? () => this.dropPortConnections(checked.device) : undefined);
  }

  async updatePortFilter(port: FirewallPort): Promise<void> {
    const checked = checkPort(port);
    const old = this.filtered.get(checked.device);
    if (!old) {
      this.o.log?.info({ device: checked.device }, 'firewall: attempted to update a port filter which is not filtered');
      return;
    }
    this.filtered.set(checked.device, checked);
    this.assignZone(checked.network_id, checked.device);
    this.releaseZone(old.network_id);
    // a group left: its connections may no longer be allowed (_clean_updated_sg_member_conntrack_entries)
    const leftGroup = old.security_groups.some((g) => !checked.security_groups.includes(g)) && checked.port_security_enabled;
    await this.changed(leftGroup ? () => this.dropPortConnections(checked.device) : undefined);
  }

  /** Every connection of a filtered port is cut (it meets the rules again with its next packet). */
  private async dropPortConnections(device: string): Promise<void> {
    const port = this.filtered.get(device);
    if (!port) return;
    const target = this.target(port);
    for (const type of ETHERTYPES) await this.conntrack.deleteByRemoteIps([target], type, []);
  }

  async removePortFilter(device: string): Promise<void> {
    const old = this.filtered.get(device);
    if (!old) {
      this.o.log?.info({ device }, 'firewall: attempted to remove a port filter which is not filtered');
      return;
    }
    const target = this.target(old);
    this.filtered.delete(device);
    this.releaseZone(old.network_id);
    // _remove_conntrack_entries_from_port_deleted
    await this.changed(old.port_security_enabled ? async () => { for (const type of ETHERTYPES) await this.conntrack.deleteByRemoteIps([target], type, []); } : undefined);
  }

  async updateSecurityGroupRules(groupId: string, rules: FirewallRule[]): Promise<void> {
    const checked = rules.map((r) => checkRule(groupId, r));
    await this.recover();
    const kept = new Set(checked.map(ruleKey));
    const removed = (this.rules.get(groupId) ?? this.takePrevious(this.previous.rules, groupId) ?? []).filter((r) => !kept.has(ruleKey(r)));
    this.rules.set(groupId, checked);
    // _clean_deleted_sg_rule_conntrack_entries, for the ports filtered by the apply (after a restart they are prepared in the same batch)
    await this.changed(removed.length ? async () => {
      const targets = this.portsIn(groupId);
      if (targets.length) for (const rule of removed) await this.conntrack.deleteByRule(targets, rule);
    } : undefined);
  }

  async updateSecurityGroupMembers(groupId: string, members: GroupMembers): Promise<void> {
    const checked = checkMembers(groupId, members);
    await this.recover();
    const before = this.members.get(groupId) ?? this.takePrevious(this.previous.members, groupId) ?? {};
    this.members.set(groupId, checked);
    const gone = ETHERTYPES.map((type) => {
      const now = new Set(checked[type] ?? []);
      return [type, (before[type] ?? []).filter((ip) => !now.has(ip))] as const;
    }).filter(([, ips]) => ips.length > 0);
    // _clean_deleted_remote_sg_members_conntrack_entries: the ports (filtered by the apply) with rules naming the group
    await this.changed(gone.length ? async () => {
      const referencing = [...this.filtered.values()].filter((p) => p.port_security_enabled
        && p.security_groups.some((g) => (this.rules.get(g) ?? []).some((r) => r.remote_group_id === groupId || r.remote_address_group_id === groupId))).map((p) => this.target(p));
      if (referencing.length) for (const [type, ips] of gone) await this.conntrack.deleteByRemoteIps(referencing, type, ips);
    } : undefined);
  }

  /**
   * Runs `fn` (a batch of changes) with one apply at its end instead of one per change, and
   * the conntrack clean-ups of all of them after it (filter_defer_apply_on/off).
   */
  async deferApply<T>(fn: () => Promise<T>): Promise<T> {
    this.deferred++;
    try {
      return await fn();
    } finally {
      this.deferred--;
      if (this.deferred === 0) await this.changed();
    }
  }

  /** After a change: apply it, unless deferred (its clean-up runs after the apply that has it). */
  private async changed(cleanup?: () => Promise<void>): Promise<void> {
    if (cleanup) this.cleanups.push(cleanup);
    if (this.deferred > 0) return;
    await this.apply();
  }

  /** Unhooks and deletes every chain and table the firewall made. */
  async destroy(): Promise<void> {
    await this.recover();
    await (this.waiting ?? this.running)?.catch(() => {});
    this.written.clear();
    this.l2Loaded = undefined;
    this.filtered.clear();
    this.zones.clear();
    for (const v of this.versions) {
      for (const [table, builtin, ours] of HOOKS) {
        while (await this.iptables(v, ['-t', table, '-C', builtin, '-j', ours]).then(() => true, () => false)) {
          await this.iptables(v, ['-t', table, '-D', builtin, '-j', ours]);
        }
      }
      const chains = [...(this.applied.get(`${v}:filter`) ?? []), ...(this.applied.get(`${v}:raw`) ?? [])];
      if (chains.length === 0) continue;
      const text = (table: string, list: readonly string[]) => [`*${table}`, ...list.map((c) => `:${c} - [0:0]`), ...list.map((c) => `-X ${c}`), 'COMMIT', ''].join('\n');
      await this.restore(v, text('filter', this.applied.get(`${v}:filter`) ?? []) + text('raw', this.applied.get(`${v}:raw`) ?? []));
      this.applied.delete(`${v}:filter`);
      this.applied.delete(`${v}:raw`);
    }
    await this.ipsets.prune(new Map());
    await run('nft', ['-f', '-'], { netns: this.o.netns, input: l2Script([]) });
    this.hooked = false;
    if (this.stateFile) rmSync(this.stateFile.path, { force: true });
  }

  /**
   * A restarted agent takes over what the last run left: our chains of then are stale until
   * rewritten (so chains of ports gone meanwhile are deleted), and each device keeps the
   * conntrack zone it had, so established connections keep their entries
   * (IptablesManager's and IpConntrackManager's _populate_initial_zone_map).
   */
  private recover(): Promise<void> {
    this.recovered ??= (async () => {
      for (const v of this.versions) {
        for (const table of ['filter', 'raw'] as const) {
          const { stdout } = await run(v === 4 ? 'iptables-save' : 'ip6tables-save', ['-t', table], { netns: this.o.netns });
          const chains = [...stdout.matchAll(/^:(\S+) /gm)].map((m) => m[1]!).filter((c) => c.startsWith(CHAIN_PREFIX));
          this.applied.set(`${v}:${table}`, chains);
          if (table !== 'raw' || v !== 4) continue;
          for (const m of stdout.matchAll(new RegExp(`^-A ${PREROUTING_CHAIN} -m physdev --physdev-in (\\S+) .*-j CT --zone (\\d+)`, 'gm'))) {
            this.previousZones.set(m[1]!, Number(m[2]));
          }
        }
      }
      if (this.stateFile) this.previous = this.stateFile.load();
      // the sets of the run before are adopted (and destroyed after the first apply if no longer wanted)
      const usable = await this.ipsets.probe();
      this.useIpset = this.o.ipset !== false && usable.ok;
      if (this.o.ipset !== false && !usable.ok) {
        this.o.log?.warn({ err: usable.error }, 'firewall: the ipset program is not usable; remote security groups are expanded to one rule per member (as with enable_ipset = false)');
      }
    })();
    return this.recovered;
  }

  private assignZone(networkId: string, device: string): void {
    if (this.zones.has(networkId)) return;
    const used = new Set(this.zones.values());
    const previous = this.previousZones.get(device);
    if (previous !== undefined && !used.has(previous)) {
      this.zones.set(networkId, previous);
      return;
    }
    for (let z = 1; z <= MAX_ZONE; z++) {
      if (!used.has(z)) {
        this.zones.set(networkId, z);
        return;
      }
    }
    throw new FirewallInputError('no free conntrack zone');
  }

  private releaseZone(networkId: string): void {
    if (![...this.filtered.values()].some((p) => p.network_id === networkId)) this.zones.delete(networkId);
  }

  /** Applies the current state; callers that come while an apply waits share it. */
  private apply(): Promise<void> {
    if (this.waiting) return this.waiting;
    const before = this.running ?? Promise.resolve();
    const next: Promise<void> = before.catch(() => {}).then(async () => {
      this.waiting = undefined;
      this.running = next;
      try {
        await this.applyNow();
      } finally {
        if (this.running === next) this.running = undefined;
      }
    });
    this.waiting = next;
    return next;
  }

  private async applyNow(): Promise<void> {
    // the changes made so far are in this apply: so are their clean-ups, which follow it
    const cleanups = this.cleanups.splice(0);
    await this.recover();
    const state = { ports: this.filtered, rules: this.rules, members: this.members, zones: this.zones, ipset: this.useIpset };
    const snapshot = this.stateFile ? AppliedStateFile.snapshot(state) : undefined;
    if (!this.hooked) await this.enableBridgeNetfilter();
    // the sets the rules are to name exist, with their members, before the rules do
    const sets = this.useIpset ? wantedSets(state, this.versions) : new Map<string, IpsetSpec>();
    await this.ipsets.sync(sets);
    for (const v of this.versions) {
      const filter = filterTable(state, v, this.applied.get(`${v}:filter`), this.written.get(`${v}:filter`));
      const raw = rawTable(state, this.applied.get(`${v}:raw`), this.written.get(`${v}:raw`));
      const tables = [filter, raw].filter((t) => t.changes);
      if (tables.length) {
        // until it succeeds, what the kernel has is not known: the next apply writes every chain
        this.written.delete(`${v}:filter`);
        this.written.delete(`${v}:raw`);
        await this.restore(v, tables.map((t) => t.text).join(''));
      }
      this.written.set(`${v}:filter`, filter.contents);
      this.written.set(`${v}:raw`, raw.contents);
      this.applied.set(`${v}:filter`, filter.chains);
      this.applied.set(`${v}:raw`, raw.chains);
    }
    await this.ipsets.prune(sets);
    if (!this.hooked) await this.hook();
    const l2 = l2Script(this.filtered.values());
    if (this.l2Loaded !== l2) {
      this.l2Loaded = undefined;
      await run('nft', ['-f', '-'], { netns: this.o.netns, input: l2 });
      this.l2Loaded = l2;
    }
    if (snapshot !== undefined) this.stateFile!.save(snapshot);
    if (cleanups.length) await this.conntrack.collect(async () => { for (const c of cleanups) await c(); });
  }

  /** Bridged IP traffic must pass iptables (the Linux bridge agent sets these too). */
  private async enableBridgeNetfilter(): Promise<void> {
    const keys = ['net.bridge.bridge-nf-call-iptables=1', ...(this.versions.includes(6) ? ['net.bridge.bridge-nf-call-ip6tables=1'] : [])];
    await run('sysctl', ['-q', '-w', ...keys], { netns: this.o.netns });
  }

  /** Our chains first in FORWARD, INPUT and raw PREROUTING, once each. */
  private async hook(): Promise<void> {
    for (const v of this.versions) {
      for (const [table, builtin, ours] of HOOKS) {
        const present = await this.iptables(v, ['-t', table, '-C', builtin, '-j', ours]).then(() => true, (err: unknown) => {
          if (err instanceof CommandError && err.code === 1) return false;
          throw err;
        });
        if (!present) await this.iptables(v, ['-t', table, '-I', builtin, '1', '-j', ours]);
      }
    }
    this.hooked = true;
  }

  private iptables(v: IpVersion, args: string[]): Promise<unknown> {
    return run(v === 4 ? 'iptables' : 'ip6tables', ['-w', '5', ...args], { netns: this.o.netns });
  }

  private restore(v: IpVersion, input: string): Promise<unknown> {
    return run(v === 4 ? 'iptables-restore' : 'ip6tables-restore', ['-w', '5', '--noflush'], { netns: this.o.netns, input });
  }
}
