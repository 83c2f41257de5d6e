/**
 * Cinder's swift backup driver in per_user mode (upstream's default) against the all-in-one
 * Object Storage: a backup's objects go to the requesting project's own account, made with the
 * requester's token (the service's as X-Service-Token); the restore reads them back from there
 * and the delete removes them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { until } from '../src/common/testing/until.js';
import { startTestCloud, type TestCloud } from './support/cloud.js';

const SLOW = 120_000;

async function call(url: string, method: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await request(url, {
    method: method as 'GET', headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.statusCode, json };
}

describe('volume backups to Swift, per_user', () => {
  let cloud: TestCloud;
  let token: string;
  let volumeUrl: string;
  let storageUrl: string;

  before(async () => {
    cloud = await startTestCloud({ services: ['identity', 'volume', 'object'], overrides: { 'DEFAULT.backup_driver': 'swift', 'swift.all_in_one_part_power': '6' } });
    token = await cloud.adminToken();
    const projectId = (await request(`${cloud.url}/identity/v3/auth/tokens`, { headers: { 'x-auth-token': token, 'x-subject-token': token } }).then((r) => r.body.json()) as any).token.project.id;
    volumeUrl = `${cloud.url}/volume/v3/${projectId}`;
    storageUrl = `${cloud.url}/object/v1/AUTH_${projectId}`;
  });
  after(async () => { await cloud?.close(); });

  async function status(kind: 'volumes' | 'backups', id: string, want: string): Promise<void> {
    const key = kind === 'volumes' ? 'volume' : 'backup';
    await until(async () => (await call(`${volumeUrl}/${kind}/${id}`, 'GET', token)).json[key]?.status === want, `${key} ${id} ${want}`, SLOW);
  }

  const objects = async (): Promise<string[]> => {
    const res = await call(`${storageUrl}/volumebackups?format=json`, 'GET', token);
    return res.status === 404 ? [] : (res.json as Array<{ name: string }>).map((o) => o.name);
  };

  test('the objects are the project\'s, restored and deleted with the requester\'s token', { timeout: 4 * SLOW }, async () => {
    const vol = await call(`${volumeUrl}/volumes`, 'POST', token, { volume: { size: 1, name: 'src' } });
    assert.equal(vol.status, 202);
    await status('volumes', vol.json.volume.id, 'available');

    const made = await call(`${volumeUrl}/backups`, 'POST', token, { backup: { volume_id: vol.json.volume.id, name: 'b1' } });
    assert.equal(made.status, 202, JSON.stringify(made.json));
    const id = made.json.backup.id;
    await status('backups', id, 'available');
    const backup = (await call(`${volumeUrl}/backups/${id}`, 'GET', token)).json.backup;
    assert.equal(backup.container, 'volumebackups');
    const names = await objects();
    assert.ok(names.some((n) => n.includes(`_backup_${id}`) && n.endsWith('_metadata')), `the backup's objects in the project's account: ${names.join(', ')}`);

    const restore = await call(`${volumeUrl}/backups/${id}/restore`, 'POST', token, { restore: { name: 'restored' } });
    assert.equal(restore.status, 202, JSON.stringify(restore.json));
    await status('volumes', restore.json.restore.volume_id, 'available');
    await status('backups', id, 'available');

    assert.equal((await call(`${volumeUrl}/backups/${id}`, 'DELETE', token)).status, 202);
    await until(async () => (await call(`${volumeUrl}/backups/${id}`, 'GET', token)).status === 404, 'the backup gone', SLOW);
    assert.deepEqual((await objects()).filter((n) => n.includes(id)), [], 'its objects are gone from the project\'s account');
  });
});
