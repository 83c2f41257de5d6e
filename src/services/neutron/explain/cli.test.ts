/**
 * `nubo explain`: its arguments, and its table and verdict for an answer of the API (served by
 * the test harness in place of the cloud's endpoint; errors come back as the session throws them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ServiceClientError } from '../../../common/clients/session.js';
import { OperatorError } from '../../../common/errors.js';
import { ADMIN, type Harness, startHarness } from '../testing/harness.js';
import { type NetworkGet, parseExplainArgs, runExplain } from './cli.js';

let h: Harness;
const get: NetworkGet = async (path) => {
  const r = await h.request('GET', path, ADMIN);
  if (r.status !== 200) throw new ServiceClientError(r.status, 'network', JSON.stringify(r.body));
  return r.body;
};

before(async () => { h = await startHarness(); });
after(() => h.close());

describe('nubo explain', () => {
  test('arguments', () => {
    assert.deepEqual(parseExplainArgs(['srv', 'outside', '--protocol', 'tcp', '--port=22']), { from: 'srv', to: 'outside', protocol: 'tcp', port: '22' });
    assert.deepEqual(parseExplainArgs(['outside', '203.0.113.5']), { from: 'outside', to: '203.0.113.5', protocol: undefined, port: undefined });
    assert.throws(() => parseExplainArgs(['only-one']), OperatorError);
    assert.throws(() => parseExplainArgs(['a', 'b', '--port']), /--port needs a value/);
    assert.throws(() => parseExplainArgs(['a', 'b', '--nope', 'x']), /unknown option --nope/);
  });

  test('a port on a subnet without DHCP: the table, the verdict and the fix', async () => {
    const net = (await h.request('POST', '/v2.0/networks', ADMIN, { network: { name: 'n' } })).body.network;
    const subnet = (await h.request('POST', '/v2.0/subnets', ADMIN, { subnet: { network_id: net.id, cidr: '10.7.0.0/24', ip_version: 4, enable_dhcp: false } })).body.subnet;
    const port = (await h.request('POST', '/v2.0/ports', ADMIN, { port: { network_id: net.id } })).body.port;
    await h.request('PUT', `/v2.0/ports/${port.id}`, ADMIN, { port: { admin_state_up: false } });
    const out = await runExplain(h.config, [port.id, 'outside', '--protocol', 'icmp'], get);
    assert.match(out, new RegExp(`^path ${port.id} -> outside \\(icmp\\)`));
    assert.match(out, /^#\s+HOP\s+FROM\s+VERDICT\s+EVIDENCE$/m);
    assert.match(out, /^1\s+source port status\s+neutron\s+BROKEN\s+port .* is administratively down/m);
    assert.match(out, /source DHCP\s+neutron\s+BROKEN\s+subnet .* has DHCP disabled/);
    assert.match(out, /^verdict: broken$/m);
    assert.match(out, /The path breaks at "source port status"/);
    assert.ok(out.includes(`  source DHCP: openstack subnet set --dhcp ${subnet.id}`), out);
  });

  test('API errors become one line', async () => {
    await assert.rejects(runExplain(h.config, ['outside', 'outside'], get), (e: Error) => e instanceof OperatorError && /cannot both be outside\. \(HTTP 400\)/.test(e.message));
    await assert.rejects(runExplain(h.config, ['outside', '10.99.0.1'], get), /No server, port, fixed IP or floating IP 10\.99\.0\.1 could be found\. \(HTTP 404\)/);
  });
});
