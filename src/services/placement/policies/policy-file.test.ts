// Placement's policy: Zed's defaults (an admin in any scope, readers of their own project's
// usages; enforce_new_defaults switches to system-scoped personas) and an operator's
// policy file changing what a caller may do (upstream gabbits *-policy.yaml, *-secure-rbac.yaml).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startPlacement } from '../testing/placement-harness.js';

const MEMBER = 'proj-m:member,reader';

test('Zed defaults: admins in any scope, others refused, project readers see their usages', async () => {
  const p = await startPlacement();
  try {
    assert.equal((await p.call('GET', '/resource_providers', { token: 'proj-a:admin,member,reader' })).status, 200);
    for (const [method, path] of [['GET', '/resource_providers'], ['GET', '/traits'], ['GET', '/resource_classes'], ['GET', '/allocation_candidates?resources=VCPU:1']] as const) {
      const res = await p.call(method, path, { token: MEMBER });
      assert.equal(res.status, 403, path);
      assert.match(res.body.errors[0].detail, /Policy does not allow placement:.* to be performed\./);
    }
    assert.equal((await p.call('POST', '/resource_providers', { token: MEMBER, body: { name: 'x' } })).status, 403);
    assert.equal((await p.call('GET', '/usages?project_id=proj-m', { token: MEMBER })).status, 200);
    assert.equal((await p.call('GET', '/usages?project_id=someone-else', { token: MEMBER })).status, 403);
  } finally {
    await p.close();
  }
});

test('with enforce_new_defaults and enforce_scope a project admin is no longer enough', async () => {
  const p = await startPlacement({ overrides: { 'oslo_policy.enforce_new_defaults': 'true', 'oslo_policy.enforce_scope': 'true' } });
  try {
    assert.equal((await p.call('GET', '/resource_providers')).status, 403);
    p.h.tokens.register('system-admin', { userId: 'sysadmin', roles: ['admin', 'member', 'reader'], system: true });
    assert.equal((await p.call('GET', '/resource_providers', { token: 'system-admin' })).status, 200);
    assert.equal((await p.call('POST', '/resource_providers', { token: 'system-admin', body: { name: 'by-system-admin' } })).status, 200);
  } finally {
    await p.close();
  }
});

test('[oslo_policy] policy_file overrides a placement rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-placement-policy-'));
  const file = join(dir, 'placement.yaml');
  writeFileSync(file, '"placement:resource_providers:list": "role:reader"\n"placement:resource_providers:create": "!"\n');
  const p = await startPlacement({ overrides: { 'oslo_policy.policy_file': file } });
  try {
    assert.equal((await p.call('GET', '/resource_providers', { token: MEMBER })).status, 200);
    const denied = await p.call('POST', '/resource_providers', { body: { name: 'nobody may' } });
    assert.equal(denied.status, 403);
    assert.match(denied.body.errors[0].detail, /Policy does not allow placement:resource_providers:create to be performed\./);
    // Rules the file leaves alone keep their defaults.
    assert.equal((await p.call('GET', '/traits', { token: MEMBER })).status, 403);
  } finally {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
