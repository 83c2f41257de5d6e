/**
 * An operator's policy files change what a member may do, in every project: with
 * `[oslo_policy] policy_file = <dir>/{project}-policy.yaml`, one overridden rule each in
 * Keystone, Glance and Neutron turns a member's 2xx into 403, and removing the override
 * (the file re-read without a restart) gives the right back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startTestCloud, type TestCloud } from './support/cloud.js';

const dir = mkdtempSync(join(tmpdir(), 'nubo-policy-files-'));
let cloud: TestCloud;
let member: string;
let projectId: string;

async function call(method: string, path: string, token: string, body?: unknown): Promise<number> {
  const res = await request(`${cloud.url}${path}`, {
    method: method as 'GET',
    headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  await res.body.dump();
  return res.statusCode;
}

async function json<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
  const res = await request(`${cloud.url}${path}`, {
    method: method as 'GET',
    headers: { 'x-auth-token': token, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.statusCode, body: (await res.body.json()) as T, headers: res.headers };
}

before(async () => {
  cloud = await startTestCloud({ services: ['identity', 'image', 'network'], overrides: { 'oslo_policy.policy_file': join(dir, '{project}-policy.yaml') } });
  const admin = await cloud.adminToken();
  projectId = (await json<{ project: { id: string } }>('POST', '/identity/v3/projects', admin, { project: { name: 'policy-p', domain_id: 'default' } })).body.project.id;
  const userId = (await json<{ user: { id: string } }>('POST', '/identity/v3/users', admin, { user: { name: 'policy-u', password: 'secret-pw', domain_id: 'default' } })).body.user.id;
  const roles = (await json<{ roles: Array<{ id: string; name: string }> }>('GET', '/identity/v3/roles?name=member', admin)).body.roles;
  assert.equal(await call('PUT', `/identity/v3/projects/${projectId}/users/${userId}/roles/${roles[0]!.id}`, admin), 204);
  const login = await request(`${cloud.url}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { id: userId, password: 'secret-pw' } } }, scope: { project: { id: projectId } } } }),
  });
  await login.body.dump();
  member = String(login.headers['x-subject-token']);
});

after(async () => {
  await cloud?.close();
  rmSync(dir, { recursive: true, force: true });
});

const image = { name: 'x', disk_format: 'raw', container_format: 'bare' };

test('one rule overridden in each project denies the member; the file is re-read without a restart', async () => {
  assert.equal(await call('GET', `/identity/v3/projects/${projectId}`, member), 200);
  assert.equal(await call('POST', '/image/v2/images', member, image), 201);
  assert.equal(await call('POST', '/network/v2.0/networks', member, { network: { name: 'n' } }), 201);

  writeFileSync(join(dir, 'keystone-policy.yaml'), '"identity:get_project": "role:admin"\n');
  writeFileSync(join(dir, 'glance-policy.yaml'), '"add_image": "role:admin"\n');
  writeFileSync(join(dir, 'neutron-policy.yaml'), '"create_network": "role:admin"\n');
  const denied = async () => [
    await call('GET', `/identity/v3/projects/${projectId}`, member),
    await call('POST', '/image/v2/images', member, image),
    await call('POST', '/network/v2.0/networks', member, { network: { name: 'n' } }),
  ];
  let statuses = await denied();
  for (let i = 0; i < 40 && statuses.some((s) => s !== 403); i++) {
    await sleep(250);
    statuses = await denied();
  }
  assert.deepEqual(statuses, [403, 403, 403]);

  writeFileSync(join(dir, 'glance-policy.yaml'), '{}\n');
  let back = 0;
  for (let i = 0; i < 40 && back !== 201; i++) {
    await sleep(250);
    back = await call('POST', '/image/v2/images', member, image);
  }
  assert.equal(back, 201);
});
