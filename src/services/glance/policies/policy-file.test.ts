// An operator's policy.yaml changes what a member may do in the image service.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startTestGlance } from '../testing/harness.js';

test('[oslo_policy] policy_file overrides a Glance rule', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-glance-policy-'));
  const file = join(dir, 'glance.yaml');
  writeFileSync(file, '"add_image": "role:admin"\n');
  const g = await startTestGlance({ 'oslo_policy.policy_file': file });
  const plain = await startTestGlance();
  try {
    const member = { project: 'pa', roles: ['member', 'reader'] };
    const body = { name: 'x', disk_format: 'raw', container_format: 'bare' };
    const denied = await g.request('POST', '/v2/images', g.token('m', member), body);
    assert.equal(denied.status, 403);
    assert.match(denied.text, /You are not authorized to complete add_image action/);
    assert.equal((await g.request('POST', '/v2/images', g.token('a', { project: 'pa', roles: ['admin', 'member', 'reader'] }), body)).status, 201);
    assert.equal((await plain.request('POST', '/v2/images', plain.token('m', member), body)).status, 201);
  } finally {
    await g.close();
    await plain.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
