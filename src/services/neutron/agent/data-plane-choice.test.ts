/**
 * Which data plane `nubo up` runs: the simulated L2 agent unless `[data_plane] enabled` is set
 * and the process may manage namespaces; the host namespace from its template; the roles'
 * all-in-one predicates follow the choice.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Config, coreGroups } from '../../../common/config/index.js';
import { neutronConfigGroups } from '../config.js';
import { neutron } from '../index.js';
import { dataPlaneChoice, hostNamespaceOf } from './data-plane.js';
import { namespaceSupportProblem } from './linux/capabilities.js';

const config = (overrides: Record<string, string> = {}): Config => Config.load({ groups: [...coreGroups, ...neutronConfigGroups], env: {}, overrides });
const inAllInOne = (name: string, c: Config): boolean => {
  const role = neutron.roles.find((r) => r.name === name)!;
  return typeof role.allInOne === 'function' ? role.allInOne(c) : role.allInOne !== false;
};

describe('data plane choice', () => {
  test('simulated by default: the sim agent runs in nubo up, the Linux agents do not, and the line says how to change it', () => {
    const c = config();
    const choice = dataPlaneChoice(c);
    assert.equal(choice.real, false);
    assert.match(choice.reason, /simulated.*\[data_plane\] enabled/);
    assert.equal(inAllInOne('network-sim-agent', c), true);
    assert.equal(inAllInOne('network-l2-agent', c), false);
    assert.equal(inAllInOne('network-dhcp-agent', c), false);
  });

  test('enabled: real where namespaces can be managed, otherwise simulated with the reason', () => {
    const c = config({ 'data_plane.enabled': 'true' });
    const problem = namespaceSupportProblem();
    const choice = dataPlaneChoice(c);
    assert.equal(choice.real, problem === undefined);
    if (problem) assert.ok(choice.reason.includes(problem));
    assert.equal(inAllInOne('network-l2-agent', c), choice.real);
    assert.equal(inAllInOne('network-dhcp-agent', c), choice.real);
    assert.equal(inAllInOne('network-sim-agent', c), !choice.real);
  });

  test('the host namespace: the template with {host}, or the process\'s own when empty', () => {
    assert.equal(hostNamespaceOf(config(), 'compute1'), 'nubo-host-compute1');
    assert.equal(hostNamespaceOf(config({ 'data_plane.host_namespace': 'lab-{host}-ns' }), 'c2'), 'lab-c2-ns');
    assert.equal(hostNamespaceOf(config({ 'data_plane.host_namespace': '' }), 'c2'), undefined);
  });
});
