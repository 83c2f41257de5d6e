/**
 * The metering chains of one router namespace, as Neutron's iptables metering driver builds
 * them (neutron/services/metering/drivers/iptables/iptables_driver.py, binary name
 * `neutron-meter`), in the filter table:
 *
 *   FORWARD -> neutron-meter-FORWARD -> neutron-meter-r-<label>: a rule per label rule on the
 *              gateway device (egress `-o qg-…`, ingress `-i qg-…`, with the rule's prefixes),
 *              excluded rules first and returning, the others jumping to
 *           -> neutron-meter-l-<label>: one rule without match or target, whose counters
 *              are the label's packets and bytes.
 *
 * Chain names are cut to 28 characters (iptables_manager.get_chain_name without wrap). The
 * input is for `iptables-restore --noflush`: neutron-meter-FORWARD and the rule chains are
 * declared (so emptied) and rebuilt, a label chain the namespace holds already is left as it
 * is (its counters go on), those of labels gone are deleted, FORWARD gets its jump only when it
 * lacks one, and nothing else in the table (the L3 agent's chains) is touched.
 */
import { parseCidr } from '../../common/netaddr.js';
import type { MeteringLabelRule } from '../../types/metering.js';

export const WRAP_NAME = 'neutron-meter';
export const TOP_CHAIN = `${WRAP_NAME}-FORWARD`;
const MAX_CHAIN_LEN_NOWRAP = 28;

export const labelChain = (labelId: string): string => `${WRAP_NAME}-l-${labelId}`.slice(0, MAX_CHAIN_LEN_NOWRAP);
export const rulesChain = (labelId: string): string => `${WRAP_NAME}-r-${labelId}`.slice(0, MAX_CHAIN_LEN_NOWRAP);

/** A rule as iptables matches it (prepare_source_and_destination_rule[_legacy]), without its target. */
export function ruleMatch(device: string, rule: MeteringLabelRule): string {
  if (rule.remote_ip_prefix) {
    return rule.direction === 'egress' ? `-s ${rule.remote_ip_prefix} -o ${device}` : `-d ${rule.remote_ip_prefix} -i ${device}`;
  }
  let m = rule.direction === 'egress' ? `-o ${device}` : `-i ${device}`;
  if (rule.source_ip_prefix) m = `-s ${rule.source_ip_prefix} ${m}`;
  if (rule.destination_ip_prefix) m = `-d ${rule.destination_ip_prefix} ${m}`;
  return m;
}

/** The IPv4 table takes IPv4 prefixes only (upstream puts every rule in the IPv4 table, where IPv6 ones fail). */
export function isIpv4Rule(rule: MeteringLabelRule): boolean {
  return [rule.remote_ip_prefix, rule.source_ip_prefix, rule.destination_ip_prefix].every((p) => !p || parseCidr(p)?.version === 4);
}

export interface MeteredLabel {
  id: string;
  rules: readonly MeteringLabelRule[];
}

export interface RouterMetering {
  /** The gateway device (qg-…); the labels' rules match on it. */
  device: string;
  labels: readonly MeteredLabel[];
  /** The label chains (neutron-meter-l-…) the namespace holds: kept with their counters, or deleted when their label is gone. */
  existing: readonly string[];
  /** FORWARD already jumps to neutron-meter-FORWARD. */
  hasTopJump: boolean;
}

/** The label chains named in `iptables-save -t filter` output. */
export function labelChainsIn(saved: string): string[] {
  const prefix = `:${WRAP_NAME}-l-`;
  return saved.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(1).split(' ')[0]!);
}

export function meteringRestoreInput(r: RouterMetering): string {
  const wanted = new Set(r.labels.map((l) => labelChain(l.id)));
  const existing = new Set(r.existing);
  const gone = r.existing.filter((c) => !wanted.has(c));
  const rulesOf = (label: string) => label.replace(`${WRAP_NAME}-l-`, `${WRAP_NAME}-r-`);
  const declared = [
    TOP_CHAIN, ...r.labels.map((l) => rulesChain(l.id)), ...r.labels.map((l) => labelChain(l.id)).filter((c) => !existing.has(c)),
    ...gone.flatMap((c) => [rulesOf(c), c]),
  ];
  const lines = ['*filter', ...declared.map((c) => `:${c} - [0:0]`)];
  if (!r.hasTopJump) lines.push(`-I FORWARD 1 -j ${TOP_CHAIN}`);
  for (const label of r.labels) {
    const l = labelChain(label.id);
    const rc = rulesChain(label.id);
    lines.push(`-A ${TOP_CHAIN} -j ${rc}`);
    if (!existing.has(l)) lines.push(`-A ${l}`);
    const rules = label.rules.filter(isIpv4Rule);
    for (const rule of rules.filter((x) => x.excluded)) lines.push(`-A ${rc} ${ruleMatch(r.device, rule)} -j RETURN`);
    for (const rule of rules.filter((x) => !x.excluded)) lines.push(`-A ${rc} ${ruleMatch(r.device, rule)} -j ${l}`);
  }
  for (const c of gone) lines.push(`-X ${rulesOf(c)}`, `-X ${c}`);
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The packets and bytes of `iptables -L CHAIN -n -v -x` (summed over its rules). */
export function parseCounters(listing: string): { pkts: number; bytes: number } {
  let pkts = 0;
  let bytes = 0;
  for (const line of listing.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s/.exec(line);
    if (!m) continue;
    pkts += Number(m[1]);
    bytes += Number(m[2]);
  }
  return { pkts, bytes };
}
