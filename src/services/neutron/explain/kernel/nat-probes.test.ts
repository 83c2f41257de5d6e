/**
 * The router hops of the explainer read the names neutron-l3-agent gives things (l3-names.ts):
 * here a router's namespace is laid out by hand as that agent lays it out (root and network
 * namespaces needed; skipped with the reason otherwise): `qrouter-<id>` with `qr-`/`qg-`
 * devices holding the router's addresses, and the nat chains neutron-l3-agent-snat,
 * -PREROUTING and -float-snat with the SNAT and floating IP rules. The explainer finds them with
 * their packet counters, and names a missing DNAT rule or namespace as the broken hop.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { namespaceSupportProblem } from '../../agent/linux/capabilities.js';
import { execute } from '../../agent/linux/exec.js';
import { IpAddr } from '../../agent/linux/ip-addr.js';
import { IpLink } from '../../agent/linux/ip-link.js';
import { deleteNamespace, ensureNamespace } from '../../agent/linux/netns.js';
import { ADMIN, type Harness, startHarness } from '../../testing/harness.js';
import { DNAT_CHAIN, externalDevice, FLOAT_SNAT_CHAIN, internalDevice, qrouterNamespace, SNAT_CHAIN } from './l3-names.js';
import { parseNatRules } from './probes.js';

type JsonRecord = Record<string, any>;

const skip = namespaceSupportProblem();
const skipped = { skip: skip ? `needs root and network namespaces: ${skip}` : false };
let h: Harness;
let ns: string | undefined;

const iptables = (args: string[]) => execute('iptables', ['-w', '-t', 'nat', ...args], { namespace: ns });
const hopOf = (e: JsonRecord, name: string): JsonRecord => e.hops.find((x: JsonRecord) => x.hop === name);

describe('path explainer: the L3 agent\'s namespace and NAT rules', () => {
  before(async () => {
    if (skip) return;
    h = await startHarness({ overrides: { 'data_plane.enabled': 'true', 'data_plane.host_namespace': '' } });
  });
  after(async () => {
    if (ns) await deleteNamespace(ns);
    await h?.close();
  });

  test('iptables -L -v -n -x is parsed with its counters', () => {
    const out = [
      'Chain neutron-l3-agent-snat (1 references)',
      '    pkts      bytes target     prot opt in     out     source               destination         ',
      '       3      252 SNAT       all  --  *      qg-0123456789a  0.0.0.0/0            0.0.0.0/0            to:203.0.113.10',
      '',
    ].join('\n');
    assert.deepEqual(parseNatRules(out), [{
      packets: 3, bytes: 252, target: 'SNAT', protocol: 'all', in: '*', out: 'qg-0123456789a', source: '0.0.0.0/0', destination: '0.0.0.0/0', extra: 'to:203.0.113.10',
    }]);
  });

  test('qr-/qg- addresses, SNAT and DNAT rules with counters; a missing rule or namespace is broken', skipped, async () => {
    const ext = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'public', 'router:external': true } })).body.network;
    await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: ext.id, cidr: '203.0.113.0/24', ip_version: 4, enable_dhcp: false } });
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'private' } })).body.network;
    const subnet = (await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.79.0.0/24', ip_version: 4 } })).body.subnet;
    const router = (await h.request('POST', '/v2.0/routers', ADMIN, { router: { name: 'r', external_gateway_info: { network_id: ext.id } } })).body.router;
    const iface = (await h.request('PUT', `/v2.0/routers/${router.id}/add_router_interface`, ADMIN, { subnet_id: subnet.id })).body;
    const gwIp = router.external_gateway_info.external_fixed_ips[0].ip_address;
    const gwPort = (await h.request('GET', `/v2.0/ports?device_id=${router.id}&device_owner=network:router_gateway`, ADMIN)).body.ports[0];
    const server = randomUUID();
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id, device_id: server, device_owner: 'compute:nova' } })).body.port;
    const fixed = port.fixed_ips[0].ip_address;

    // before the L3 agent built anything: no namespace
    let e = (await h.request('GET', `/v2.0/nubo-explain?from=${port.id}&to=outside`, ADMIN)).body.explanation;
    assert.equal(hopOf(e, 'source router namespace (qr-)').verdict, 'broken');
    assert.match(hopOf(e, 'source router namespace (qr-)').evidence, new RegExp(`namespace ${qrouterNamespace(router.id)} does not exist`));

    // the router as neutron-l3-agent lays it out
    ns = qrouterNamespace(router.id);
    await ensureNamespace(ns);
    const qr = internalDevice(iface.port_id);
    const qg = externalDevice(gwPort.id);
    // (veth pairs: this kernel has no dummy devices; the L3 agent's are veths whose other end is in the bridge)
    for (const dev of [qr, qg]) {
      await new IpLink(ns).addVeth(dev, `p${dev.slice(3)}`);
      for (const end of [dev, `p${dev.slice(3)}`]) await new IpLink(ns).setUp(end);
    }
    await new IpAddr(ns).add(`${subnet.gateway_ip}/24`, qr);
    await new IpAddr(ns).add(`${gwIp}/24`, qg);
    for (const chain of [SNAT_CHAIN, DNAT_CHAIN, FLOAT_SNAT_CHAIN]) await iptables(['-N', chain]);
    await iptables(['-A', 'POSTROUTING', '-j', SNAT_CHAIN]);
    await iptables(['-A', SNAT_CHAIN, '-o', qg, '-j', 'SNAT', '--to-source', gwIp]);
    await iptables(['-Z', SNAT_CHAIN]);
    await iptables(['-A', 'PREROUTING', '-j', DNAT_CHAIN]);
    // one packet out of qg- (locally sent: it crosses POSTROUTING, so the SNAT rule counts it; nobody answers)
    await execute('busybox', ['ping', '-c', '1', '-W', '1', '203.0.113.250'], { namespace: ns }).catch(() => undefined);

    e = (await h.request('GET', `/v2.0/nubo-explain?from=${port.id}&to=outside`, ADMIN)).body.explanation;
    assert.equal(hopOf(e, 'source router namespace (qr-)').verdict, 'ok', JSON.stringify(e.hops, null, 1));
    assert.match(hopOf(e, 'source router namespace (qr-)').evidence, new RegExp(`${qr} in ${ns} holds ${subnet.gateway_ip.replace(/\./g, '\\.')}`));
    const snat = hopOf(e, 'router qg- and SNAT rule');
    assert.equal(snat.verdict, 'ok');
    assert.match(snat.evidence, new RegExp(`${SNAT_CHAIN}: SNAT -o ${qg} to ${gwIp.replace(/\./g, '\\.')}, 1 packets / 84 bytes`));

    // a floating IP: without its DNAT rule the inbound path is broken at the NAT hop; with it, ok and counted
    const fip = (await h.request('POST', '/v2.0/floatingips', ADMIN, { floatingip: { floating_network_id: ext.id, port_id: port.id } })).body.floatingip;
    e = (await h.request('GET', `/v2.0/nubo-explain?from=outside&to=${fip.floating_ip_address}&protocol=icmp`, ADMIN)).body.explanation;
    assert.equal(hopOf(e, 'router qg- and floating IP DNAT rule').verdict, 'broken', hopOf(e, 'router qg- and floating IP DNAT rule').evidence);
    assert.match(hopOf(e, 'router qg- and floating IP DNAT rule').evidence, new RegExp(`${DNAT_CHAIN} in ${ns} has no DNAT rule`));
    await iptables(['-A', DNAT_CHAIN, '-d', `${fip.floating_ip_address}/32`, '-j', 'DNAT', '--to-destination', fixed]);
    e = (await h.request('GET', `/v2.0/nubo-explain?from=outside&to=${fip.floating_ip_address}&protocol=icmp`, ADMIN)).body.explanation;
    const dnat = hopOf(e, 'router qg- and floating IP DNAT rule');
    assert.equal(dnat.verdict, 'ok', dnat.evidence);
    assert.match(dnat.evidence, new RegExp(`DNAT ${fip.floating_ip_address.replace(/\./g, '\\.')} <-> ${fixed.replace(/\./g, '\\.')}, 0 packets / 0 bytes`));
  });
});
