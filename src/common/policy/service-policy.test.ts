import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Config } from '../config/index.js';
import { RequestContext } from '../context.js';
import { Forbidden } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { PeriodicTasks } from '../service/periodic.js';
import { loadServicePolicy, osloPolicyGroup, policyFilePath, type ServicePolicySpec } from './service-policy.js';

const spec: ServicePolicySpec = {
  defaults: [
    { name: 'context_is_admin', checkStr: 'role:admin' },
    { name: 'thing:get', checkStr: 'role:reader', scopeTypes: ['project'] },
    { name: 'thing:delete', checkStr: 'role:admin', scopeTypes: ['system'] },
  ],
  enforceScope: false,
  enforceNewDefaults: true,
};

const ctx = (roles: string[], system = false): RequestContext => new RequestContext({
  requestId: 'req-x',
  auth: {
    userId: 'u', userName: 'u', userDomainId: 'default', userDomainName: 'Default', ...(system ? {} : { projectId: 'p' }), system, roles, roleIds: roles,
    methods: ['password'], expiresAt: '', issuedAt: '', auditIds: [], isAdminProject: true,
  },
});

function setup(overrides: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'nubo-policy-'));
  const config = Config.load({ groups: [osloPolicyGroup], env: {}, overrides });
  const periodic = new PeriodicTasks(createLogger({ level: 'silent' }));
  const policy = loadServicePolicy(spec, { config, dataDir, project: 'thing', periodic }, { denied: (rule) => new Forbidden(`no ${rule}`) });
  periodic.start();
  return { dataDir, config, policy, done: async () => { await periodic.stop(); rmSync(dataDir, { recursive: true, force: true }); } };
}

test('the policy file is <data_dir>/<project>-policy.yaml; its overrides apply and are re-read when it changes', async () => {
  const { dataDir, config, policy, done } = setup();
  try {
    assert.equal(policyFilePath(config, dataDir, 'thing'), join(dataDir, 'thing-policy.yaml'));
    assert.equal(policy.check(ctx(['reader']), 'thing:get', {}), true);
    assert.throws(() => policy.authorize(ctx(['member']), 'thing:delete', {}), /no thing:delete/);
    writeFileSync(join(dataDir, 'thing-policy.yaml'), '"thing:get": "role:admin"\n');
    let seen = true;
    for (let i = 0; i < 50 && seen; i++) {
      await sleep(100);
      seen = policy.check(ctx(['reader']), 'thing:get', {});
    }
    assert.equal(seen, false, 'the changed file was picked up');
    writeFileSync(join(dataDir, 'thing-policy.yaml'), '"thing:get": [[[\n');
    await sleep(2500);
    assert.equal(policy.check(ctx(['admin']), 'thing:get', {}), true, 'a broken file keeps the rules in force');
    assert.equal(policy.isAdmin(ctx(['admin'])), true);
    assert.equal(policy.isAdmin(ctx(['member'])), false);
  } finally {
    await done();
  }
});

test('enforce_scope: the project default unless [oslo_policy] says otherwise', async () => {
  const dflt = setup();
  const on = setup({ 'oslo_policy.enforce_scope': 'true' });
  try {
    // thing:delete is system-scoped; a project-scoped admin passes only without scope checks
    assert.equal(dflt.policy.check(ctx(['admin']), 'thing:delete', {}), true);
    assert.equal(on.policy.check(ctx(['admin']), 'thing:delete', {}), false);
    assert.equal(on.policy.check(ctx(['admin'], true), 'thing:delete', {}), true);
  } finally {
    await dflt.done();
    await on.done();
  }
});

test('a policy_file with {project} and an absolute path', () => {
  const config = Config.load({ groups: [osloPolicyGroup], env: {}, overrides: { 'oslo_policy.policy_file': '/etc/nubo/{project}.yaml' } });
  assert.equal(policyFilePath(config, '/data', 'glance'), '/etc/nubo/glance.yaml');
});
