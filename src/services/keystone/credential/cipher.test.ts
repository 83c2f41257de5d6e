import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearCipher, fileKeyCipher } from './cipher.js';

test('blobs are encrypted with a 0600 key file and decrypt back; clear rows still read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ks-cipher-'));
  try {
    const cipher = fileKeyCipher(join(dir, 'key'));
    const { encrypted, keyHash } = cipher.encrypt('{"access": "a", "secret": "s"}');
    assert.notEqual(encrypted.includes('secret'), true);
    assert.match(keyHash, /^[0-9a-f]{64}$/);
    assert.equal(cipher.decrypt(encrypted, keyHash), '{"access": "a", "secret": "s"}');
    assert.equal(fileKeyCipher(join(dir, 'key')).decrypt(encrypted, keyHash), '{"access": "a", "secret": "s"}');
    assert.equal((await stat(join(dir, 'key'))).mode & 0o777, 0o600);
    assert.equal(cipher.decrypt('plain', ''), 'plain');
    assert.throws(() => fileKeyCipher(join(dir, 'other')).decrypt(encrypted, keyHash), /no longer available/);
    assert.throws(() => clearCipher.decrypt(encrypted, keyHash), /not configured/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
