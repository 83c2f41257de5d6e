import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../../../common/log/logger.js';
import { makeDomain, resourceFixture, type ResourceFixture } from '../../testing/resource-fixture.js';
import { PasswordCheckCache } from '../password-check-cache.js';
import { SqlIdentityDriver } from './sql.js';

let f: ResourceFixture;
let dir: string;
before(async () => {
  f = await resourceFixture();
  await makeDomain(f.m);
  dir = await mkdtemp(join(tmpdir(), 'ks-sql-pcc-'));
});
after(async () => {
  await f.close();
  await rm(dir, { recursive: true, force: true });
});

test('authenticate trusts the check cache for a remembered password only', async () => {
  const cache = new PasswordCheckCache(join(dir, 'check.json'));
  const driver = new SqlIdentityDriver(f.database.db, {
    identity: f.config.identity, compliance: f.config.securityCompliance, log: createLogger({ level: 'silent' }), checkCache: cache,
  });
  const remembered = await f.m.identity.createUser({ name: 'svc', domain_id: 'default', password: 'secret' });
  const other = await f.m.identity.createUser({ name: 'someone', domain_id: 'default', password: 'secret' });
  // An entry for a password the hash does not match: only a cache hit lets it through, which
  // shows the cache is consulted (bootstrap only ever remembers a password it just set).
  await driver.rememberPassword(remembered.id, 'remembered-only');
  assert.equal((await driver.authenticate(remembered.id, 'remembered-only')).id, remembered.id);
  assert.equal((await driver.authenticate(remembered.id, 'secret')).id, remembered.id, 'a miss falls back to bcrypt');
  await assert.rejects(driver.authenticate(remembered.id, 'wrong'), (e: { status?: number }) => e.status === 401);
  assert.equal((await driver.authenticate(other.id, 'secret')).id, other.id, 'users outside the cache pay bcrypt and pass');
  // A password change makes a new hash: the old entry no longer matches anything.
  await f.m.identity.updateUser(remembered.id, { password: 'changed' });
  await assert.rejects(driver.authenticate(remembered.id, 'remembered-only'), (e: { status?: number }) => e.status === 401);
  assert.equal((await driver.authenticate(remembered.id, 'changed')).id, remembered.id);
});
