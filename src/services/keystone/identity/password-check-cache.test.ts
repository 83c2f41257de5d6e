import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PasswordCheckCache } from './password-check-cache.js';

test('remembers a match for the same hash and password only, in a 0600 file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ks-pcc-'));
  try {
    const file = join(dir, 'cache.json');
    const cache = new PasswordCheckCache(file);
    assert.equal(cache.matches('u1', '$2b$hash', 'pw'), false);
    cache.remember('u1', '$2b$hash', 'pw');
    const again = new PasswordCheckCache(file);
    assert.equal(again.matches('u1', '$2b$hash', 'pw'), true);
    assert.equal(again.matches('u1', '$2b$hash', 'other'), false);
    assert.equal(again.matches('u1', '$2b$other', 'pw'), false);
    assert.equal(again.matches('u2', '$2b$hash', 'pw'), false);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await readFile(file, 'utf8')).includes('pw"'), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
