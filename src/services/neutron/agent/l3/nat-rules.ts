/**
 * The iptables rule set of one router namespace, as Neutron's legacy router builds it
 * (neutron/agent/l3/router_info.py with iptables_manager.py, binary name `neutron-l3-agent`):
 *
 *   nat  PREROUTING  -> neutron-l3-agent-PREROUTING: metadata 169.254.169.254:80 from qr-
 *                       ports REDIRECTed to the namespace proxy's port, floating IP DNAT, port
 *                       forwarding DNAT;
 *        OUTPUT      -> neutron-l3-agent-OUTPUT: floating IP DNAT of the router's own traffic;
 *        POSTROUTING -> neutron-l3-agent-POSTROUTING: traffic that neither enters nor leaves by
 *                       the gateway (east-west) and was not DNATed is accepted un-NATed;
 *                    -> neutron-postrouting-bottom -> neutron-l3-agent-snat: first
 *                       neutron-l3-agent-float-snat (a floating IP's fixed address leaves as the
 *                       floating IP), then, with enable_snat, SNAT through the gateway IP, then
 *                       (with or without enable_snat) hairpin NAT: DNATed traffic that did not
 *                       enter by the gateway (a guest reaching a floating IP or port forwarding
 *                       of its own router) leaves as the gateway IP, so the reply comes back
 *                       through the router to be un-NATed (external_gateway_nat_fip_rules);
 *   mangle PREROUTING -> neutron-l3-agent-mark: metadata requests from qr- ports are marked,
 *                       and everything entering by the gateway (external_ingress_mark);
 *   filter INPUT -> neutron-l3-agent-INPUT: marked packets are accepted, the proxy's port is
 *                       dropped otherwise (guests reach it only as 169.254.169.254:80).
 *
 * Each apply is one `iptables-restore --noflush` (one transaction): the L3 agent's chains are
 * declared (so emptied) and the built-in chains it uses flushed explicitly, every one of nat
 * and mangle but only INPUT of filter, so no rule of an earlier state is left while the filter
 * table's FORWARD and the chains of the metering agent (neutron-meter-*) are kept, as
 * upstream's iptables managers keep each other's chains. Nothing outside the namespace is touched.
 */

export const WRAP = 'neutron-l3-agent';
/** The port the namespace metadata proxy listens on (namespace_proxy_port / METADATA_PORT). */
export const METADATA_PROXY_PORT = 9697;
export const METADATA_ADDRESS = '169.254.169.254';
/** The mark of metadata requests (metadata_access_mark) and its mask. */
const METADATA_MARK = '0x1/0xffff';
/** The mark of packets entering by the gateway (external_ingress_mark) with ROUTER_MARK_MASK. */
const EXTERNAL_INGRESS_MARK = '0x2/0xffff';

export interface FloatingNat {
  floating: string;
  fixed: string;
}

export interface PortForwardingNat {
  floating: string;
  protocol: 'tcp' | 'udp';
  externalPort: number;
  internalIp: string;
  internalPort: number;
}

export interface RouterNat {
  /** The qr- prefix of internal devices (matched as `qr-+`). */
  internalPrefix: string;
  /** The gateway device and its first IPv4 address; undefined: no gateway. */
  gateway?: { device: string; ip: string };
  enableSnat: boolean;
  floatingIps: readonly FloatingNat[];
  portForwardings: readonly PortForwardingNat[];
  metadata: boolean;
}

const chain = (name: string): string => `${WRAP}-${name}`;

/** `flushed`: the built-in chains whose rules are all the L3 agent's. */
function table(name: string, flushed: readonly string[], ours: readonly string[], rules: readonly string[]): string[] {
  return [`*${name}`, ...ours.map((c) => `:${c} - [0:0]`), ...flushed.map((b) => `-F ${b}`), ...rules, 'COMMIT'];
}

/** The `iptables-restore --noflush` input of the router namespace (nat, mangle and filter tables). */
export function routerRestoreInput(r: RouterNat): string {
  const qr = `${r.internalPrefix}+`;
  const nat: string[] = [
    `-A PREROUTING -j ${chain('PREROUTING')}`,
    `-A OUTPUT -j ${chain('OUTPUT')}`,
    `-A POSTROUTING -j ${chain('POSTROUTING')}`,
    '-A POSTROUTING -j neutron-postrouting-bottom',
    `-A neutron-postrouting-bottom -m comment --comment "Perform source NAT on outgoing traffic." -j ${chain('snat')}`,
    `-A ${chain('snat')} -j ${chain('float-snat')}`,
  ];
  if (r.metadata) {
    nat.push(`-A ${chain('PREROUTING')} -d ${METADATA_ADDRESS}/32 -i ${qr} -p tcp -m tcp --dport 80 -j REDIRECT --to-ports ${METADATA_PROXY_PORT}`);
  }
  for (const f of r.floatingIps) {
    nat.push(`-A ${chain('PREROUTING')} -d ${f.floating}/32 -j DNAT --to-destination ${f.fixed}`);
    nat.push(`-A ${chain('OUTPUT')} -d ${f.floating}/32 -j DNAT --to-destination ${f.fixed}`);
    nat.push(`-A ${chain('float-snat')} -s ${f.fixed}/32 -j SNAT --to-source ${f.floating}`);
  }
  for (const p of r.portForwardings) {
    nat.push(`-A ${chain('PREROUTING')} -d ${p.floating}/32 -p ${p.protocol} -m ${p.protocol} --dport ${p.externalPort} -j DNAT --to-destination ${p.internalIp}:${p.internalPort}`);
  }
  if (r.gateway) {
    const gw = r.gateway;
    nat.push(`-A ${chain('POSTROUTING')} ! -i ${gw.device} ! -o ${gw.device} -m conntrack ! --ctstate DNAT -j ACCEPT`);
    if (r.enableSnat) nat.push(`-A ${chain('snat')} -o ${gw.device} -j SNAT --to-source ${gw.ip}`);
    nat.push(`-A ${chain('snat')} -m mark ! --mark ${EXTERNAL_INGRESS_MARK} -m conntrack --ctstate DNAT -j SNAT --to-source ${gw.ip}`);
  }
  const mangle = [`-A PREROUTING -j ${chain('mark')}`];
  if (r.metadata) mangle.push(`-A ${chain('mark')} -d ${METADATA_ADDRESS}/32 -i ${qr} -p tcp -m tcp --dport 80 -j MARK --set-xmark ${METADATA_MARK}`);
  if (r.gateway) mangle.push(`-A ${chain('mark')} -i ${r.gateway.device} -j MARK --set-xmark ${EXTERNAL_INGRESS_MARK}`);
  const filter = [
    `-A INPUT -j ${chain('INPUT')}`,
    ...(r.metadata ? [
      `-A ${chain('INPUT')} -m mark --mark ${METADATA_MARK} -j ACCEPT`,
      `-A ${chain('INPUT')} -p tcp -m tcp --dport ${METADATA_PROXY_PORT} -j DROP`,
    ] : []),
  ];
  return [
    ...table('nat', ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
      [chain('OUTPUT'), chain('POSTROUTING'), chain('PREROUTING'), chain('float-snat'), chain('snat'), 'neutron-postrouting-bottom'], nat),
    ...table('mangle', ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'], [chain('mark')], mangle),
    ...table('filter', ['INPUT'], [chain('INPUT')], filter),
    '',
  ].join('\n');
}
