import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FernetRing } from './fernet.js';
import { TokenFormatter, UnreadableToken } from './formatter.js';
import { KeyRepository, KeyRepositoryError, initializeKeyRepository, loadKeys, readKeyFiles, rotateFernetKeys } from './key-repository.js';

const dirs: string[] = [];
const tempRepo = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'nubo-fernet-'));
  dirs.push(d);
  return join(d, 'fernet-keys');
};
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const numbers = (dir: string): number[] => [...readKeyFiles(dir).keys()].sort((a, b) => a - b);
const payload = { userId: 'u1', methods: ['password'], auditIds: ['AAAAAAAAAAAAAAAAAAAAAA'], expiresAt: 1893456000 };

describe('Fernet key repository', () => {
  test('first start creates a staged and a primary key, 0600 files in a 0700 directory', () => {
    const dir = tempRepo();
    assert.equal(initializeKeyRepository(dir, 3), true);
    assert.deepEqual(numbers(dir), [0, 1]);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);
    assert.equal(initializeKeyRepository(dir, 3), false, 'second start keeps the keys');
    assert.deepEqual(numbers(dir), [0, 1]);
  });

  test('rotation promotes the staged key and purges beyond max_active_keys', () => {
    const dir = tempRepo();
    initializeKeyRepository(dir, 3);
    const staged = readKeyFiles(dir).get(0);
    assert.equal(rotateFernetKeys(dir, 3), 2);
    assert.equal(readKeyFiles(dir).get(2), staged, 'the old staged key is the new primary');
    assert.deepEqual(numbers(dir), [0, 1, 2]);
    rotateFernetKeys(dir, 3);
    assert.deepEqual(numbers(dir), [0, 2, 3]);
    assert.equal(loadKeys(dir)[0], readKeyFiles(dir).get(3), 'primary (highest) first');
    assert.throws(() => rotateFernetKeys(dir, 0), KeyRepositoryError);
  });

  test('a token from before a rotation still validates; one whose key rotated out does not', () => {
    const dir = tempRepo();
    initializeKeyRepository(dir, 3);
    const repo = new KeyRepository(dir, 0);
    const formatter = new TokenFormatter(repo);
    const before = formatter.create(payload).id;
    assert.doesNotMatch(before, /=/, 'Keystone strips the padding');
    rotateFernetKeys(dir, 3);
    assert.deepEqual(formatter.decode(before).payload, payload, 'old primary is still active');
    const after1 = formatter.create(payload).id;
    rotateFernetKeys(dir, 3);
    assert.deepEqual(formatter.decode(after1).payload, payload);
    assert.throws(() => formatter.decode(before), UnreadableToken, 'key 1 rotated out');
  });

  test('a token made with the staged key is accepted (a peer rotated first)', () => {
    const dir = tempRepo();
    initializeKeyRepository(dir, 3);
    const stagedOnly = new FernetRing([readKeyFiles(dir).get(0) as string]);
    const token = stagedOnly.encrypt(Buffer.from('x')).replace(/=+$/, '');
    assert.equal(new KeyRepository(dir, 0).current().decrypt(token).plaintext.toString(), 'x');
  });

  test('an empty or missing repository is an error', () => {
    assert.throws(() => new KeyRepository(tempRepo()).current(), KeyRepositoryError);
  });
});
