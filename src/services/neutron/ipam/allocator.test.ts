/**
 * IPAM under concurrency: 300 ports created at once on a /24 without DHCP get exactly 253
 * distinct addresses (never the gateway, network or broadcast address) and 47 clean 409
 * IpAddressGenerationFailure answers; deleting ports frees their addresses. On SQLite, and on
 * PostgreSQL and MariaDB in the test runner's server passes (NUBO_TEST_HARNESS_DB_URL).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startHarness, tokenFor } from '../testing/harness.js';

describe('IPAM', () => {
  test('300 concurrent port creates on a /24 give 253 distinct IPs and 47 conflicts', async () => {
    const h = await startHarness();
    try {
      const token = tokenFor('ipam');
      const net = (await h.request('POST', '/v2.0/networks', token, { network: { name: 'n' } })).body.network;
      const sub = await h.request('POST', '/v2.0/subnets', token, { subnet: { network_id: net.id, cidr: '10.9.0.0/24', ip_version: 4, enable_dhcp: false } });
      assert.equal(sub.status, 201);
      const results = await Promise.all(Array.from({ length: 300 }, () =>
        h.request('POST', '/v2.0/ports', token, { port: { network_id: net.id, port_security_enabled: false } })));
      const ok = results.filter((r) => r.status === 201);
      const conflicts = results.filter((r) => r.status === 409);
      assert.equal(ok.length, 253, `statuses: ${JSON.stringify([...new Set(results.map((r) => r.status))])}`);
      assert.equal(conflicts.length, 47);
      for (const c of conflicts) assert.equal(c.body.NeutronError.type, 'IpAddressGenerationFailure');
      const ips = ok.map((r) => r.body.port.fixed_ips[0].ip_address as string);
      assert.equal(new Set(ips).size, 253);
      for (const ip of ips) {
        assert.notEqual(ip, '10.9.0.0');
        assert.notEqual(ip, '10.9.0.1');
        assert.notEqual(ip, '10.9.0.255');
        assert.match(ip, /^10\.9\.0\.\d+$/);
      }
      // a freed address can be handed out again
      const victim = ok[0]!.body.port;
      assert.equal((await h.request('DELETE', `/v2.0/ports/${victim.id}`, token)).status, 204);
      const again = await h.request('POST', '/v2.0/ports', token, { port: { network_id: net.id, port_security_enabled: false } });
      assert.equal(again.status, 201);
      assert.equal(again.body.port.fixed_ips[0].ip_address, victim.fixed_ips[0].ip_address);
      const avail = await h.request('GET', `/v2.0/network-ip-availabilities/${net.id}`, 'admin-proj:admin,member,reader');
      assert.equal(avail.body.network_ip_availability.total_ips, 253);
      assert.equal(avail.body.network_ip_availability.used_ips, 253);
    } finally {
      await h.close();
    }
  });
});
