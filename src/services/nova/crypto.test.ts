// nova/crypto.py's fingerprints: ssh keys of each type cryptography loads (RSA, ECDSA, Ed25519)
// get the MD5 of their blob; malformed lines, mismatched types and bad padding are refused.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { sshFingerprint, x509Fingerprint } from './crypto.js';

const str = (b: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
};
const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex').match(/../g)!.join(':');

function ecdsaBlob(): Buffer {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return Buffer.concat([str(Buffer.from('ecdsa-sha2-nistp384')), str(Buffer.from('nistp384')), str(point)]);
}

test('ssh public keys: the MD5 of the blob, comment and trailing newline allowed', () => {
  const blob = ecdsaBlob();
  const b64 = blob.toString('base64');
  assert.equal(sshFingerprint(`ecdsa-sha2-nistp384 ${b64} a comment\n`), md5(blob));
  assert.equal(sshFingerprint(`ecdsa-sha2-nistp384 ${b64}\n`), md5(blob));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  const mp = (b64u: string) => { const b = Buffer.from(b64u, 'base64url'); return str(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b); };
  const rsaBlob = Buffer.concat([str(Buffer.from('ssh-rsa')), mp(rsa.e!), mp(rsa.n!)]);
  assert.equal(sshFingerprint(`ssh-rsa ${rsaBlob.toString('base64')}`), md5(rsaBlob));
});

test('malformed ssh keys are InvalidKeypair', () => {
  const b64 = ecdsaBlob().toString('base64');
  const bad = [
    '', 'ssh-rsa', `ecdsa-sha2-nistp384  ${b64}`, `ssh-rsa ${b64}`, `ecdsa-sha2-nistp256 ${b64}`, `ecdsa-sha2-nistp384 ${b64.replace(/=+$/, '')}x`,
    `ecdsa-sha2-nistp384 ${Buffer.from('truncated').toString('base64')}`, `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(Buffer.alloc(31))]).toString('base64')}`,
    `sk-ssh-ed25519@openssh.com ${b64}`,
  ];
  for (const key of bad) assert.throws(() => sshFingerprint(key), { message: 'Keypair data is invalid: failed to generate fingerprint' }, key);
  if (b64.endsWith('=')) assert.throws(() => sshFingerprint(`ecdsa-sha2-nistp384 ${b64.replace(/=+$/, '')}`));
});

test('x509: not a PEM certificate is InvalidKeypair', () => {
  assert.throws(() => x509Fingerprint('ssh-rsa AAAA'), /^InvalidKeypair: Keypair data is invalid: failed to generate X509 fingerprint/);
  assert.throws(() => x509Fingerprint('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /failed to generate X509 fingerprint/);
});
