/**
 * `nubo netns cleanup` where the agents run in the process's own namespace: the security-group
 * firewall goes (chains, hooks, ipsets, bridge table). Run for real in a namespace of the test's
 * own (the cleanup runs in a child process inside it); namespaces themselves are not touched
 * (`match` selects none). Skipped without root or the programs it needs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { run } from '../firewall/commands.js';
import { IptablesFirewall } from '../firewall/iptables-firewall.js';
import { missingTool } from '../../testing/tools.js';

const skip = process.getuid?.() !== 0 ? 'needs root to make a network namespace and firewall rules'
  : missingTool(['ip', 'iptables-save', 'ip6tables-save', 'nft', 'ipset']);
const NS = `ncl-${randomBytes(3).toString('hex')}`;

before(async () => { if (!skip) await run('ip', ['netns', 'add', NS]); });
after(async () => { if (!skip) await run('ip', ['netns', 'del', NS]).catch(() => {}); });

test('cleanup in the own namespace removes the firewall: chains, hooks, ipsets, bridge table', { skip }, async () => {
  const fw = new IptablesFirewall({ netns: NS });
  await fw.deferApply(async () => {
    await fw.updateSecurityGroupRules('sg-1', [{ direction: 'ingress', ethertype: 'IPv4', remote_group_id: 'sg-2' }]);
    await fw.updateSecurityGroupMembers('sg-2', { IPv4: ['10.91.0.1', '10.91.0.2'] });
    await fw.preparePortFilter({ id: 'p1', device: 'tapcl1', mac_address: 'fa:16:3e:91:00:01', fixed_ips: ['10.91.0.5'], port_security_enabled: true, security_groups: ['sg-1'], network_id: 'n1', bridge: 'brqcl' });
  });
  const state = async () => ({
    iptables: (await run('iptables-save', [], { netns: NS })).stdout.includes('nubo-fw'),
    sets: (await run('ipset', ['list', '-n'], { netns: NS })).stdout.split('\n').filter((n) => n.startsWith('NIPv')),
    nft: (await run('nft', ['list', 'tables'], { netns: NS })).stdout.includes('nubo_fw'),
  });
  assert.deepEqual(await state(), { iptables: true, sets: ['NIPv4sg-2'], nft: true }, 'the firewall is in place');
  const cleanup = fileURLToPath(new URL('./cleanup.ts', import.meta.url));
  const script = `import(${JSON.stringify(cleanup)}).then((m) => m.cleanupDataPlane({ hostNamespaceTemplate: '', match: () => false, firewall: true })).then((r) => console.log(JSON.stringify(r)))`;
  const { stdout } = await run('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', '-e', script], { timeoutMs: 60_000 });
  assert.match(JSON.parse(stdout.trim().split('\n').at(-1)!).firewall, /^removed /);
  assert.deepEqual(await state(), { iptables: false, sets: [], nft: false });
});
