/**
 * Key pair cryptography (nova/crypto.py): generating an RSA ssh key pair (the private key in
 * PEM, as paramiko writes it, and the public key as `ssh-rsa <base64> Generated-by-Nova`),
 * the fingerprint of an ssh public key (MD5 of the key blob, colon-separated hex) after
 * checking the key parses, the SHA-1 fingerprint of an X.509 certificate, and the WinRM
 * client certificate nova makes with openssl for an x509 key pair.
 */
import { execFile } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPair as generateRsa, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidKeypair } from './errors.js';

const generateRsaAsync = promisify(generateRsa);

function colonHex(digest: Buffer): string {
  return digest.toString('hex').match(/../g)!.join(':');
}

/** Reads the length-prefixed strings of the ssh wire format; undefined when truncated. */
function readStrings(blob: Buffer): Buffer[] | undefined {
  const out: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return undefined;
    const len = blob.readUInt32BE(at);
    at += 4;
    if (at + len > blob.length) return undefined;
    out.push(blob.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** An ssh mpint as unpadded base64url (JWK). */
function mpintB64u(b: Buffer): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i).toString('base64url');
}

const EC_CURVES: Readonly<Record<string, { crv: string; size: number }>> = {
  nistp256: { crv: 'P-256', size: 32 }, nistp384: { crv: 'P-384', size: 48 }, nistp521: { crv: 'P-521', size: 66 },
};

/** Whether the decoded blob is a public key of its declared type (cryptography's load_ssh_public_key). */
function validKeyBlob(type: string, blob: Buffer): boolean {
  const parts = readStrings(blob);
  if (!parts || parts.length === 0 || parts[0]!.toString('latin1') !== type) return false;
  const fields = parts.slice(1);
  try {
    if (type === 'ssh-rsa') {
      if (fields.length !== 2) return false;
      createPublicKey({ key: { kty: 'RSA', e: mpintB64u(fields[0]!), n: mpintB64u(fields[1]!) }, format: 'jwk' });
      return true;
    }
    if (type === 'ssh-ed25519') {
      if (fields.length !== 1 || fields[0]!.length !== 32) return false;
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: fields[0]!.toString('base64url') }, format: 'jwk' });
      return true;
    }
    const ec = /^ecdsa-sha2-(nistp256|nistp384|nistp521)$/.exec(type);
    if (ec) {
      const curve = EC_CURVES[ec[1]!]!;
      if (fields.length !== 2 || fields[0]!.toString('latin1') !== ec[1]) return false;
      const point = fields[1]!;
      if (point.length !== 1 + 2 * curve.size || point[0] !== 4) return false;
      createPublicKey({
        key: { kty: 'EC', crv: curve.crv, x: point.subarray(1, 1 + curve.size).toString('base64url'), y: point.subarray(1 + curve.size).toString('base64url') },
        format: 'jwk',
      });
      return true;
    }
    if (type === 'ssh-dss') return fields.length === 4 && fields.every((f) => f.length > 0);
  } catch {
    return false;
  }
  return false;
}

/**
 * nova.crypto.generate_fingerprint: MD5 of the key blob as colon-separated hex.
 * @throws InvalidKeypair when the text is not an ssh public key
 */
export function sshFingerprint(publicKey: string): string {
  // cryptography splits on single blanks and decodes strictly (padding included).
  const m = /^\s*(\S+) ([A-Za-z0-9+/]+={0,2})(?: .*)?\s*$/s.exec(publicKey);
  const blob = m ? Buffer.from(m[2]!, 'base64') : undefined;
  if (!m || !blob || blob.toString('base64') !== m[2] || !validKeyBlob(m[1]!, blob)) {
    throw new InvalidKeypair('failed to generate fingerprint');
  }
  return colonHex(createHash('md5').update(blob).digest());
}

/**
 * nova.crypto.generate_x509_fingerprint: SHA-1 of the certificate as colon-separated hex.
 * @throws InvalidKeypair when the text is not a PEM certificate
 */
export function x509Fingerprint(pem: string): string {
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('Unable to load PEM file. No certificate found.');
    return colonHex(createHash('sha1').update(new X509Certificate(pem).raw).digest());
  } catch (err) {
    throw new InvalidKeypair(`failed to generate X509 fingerprint. Error message: ${(err as Error).message}`);
  }
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** A positive integer as an ssh mpint (a leading zero byte when the high bit is set). */
function sshMpint(b64u: string): Buffer {
  let b = Buffer.from(b64u, 'base64url');
  if (b.length > 0 && b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

export interface GeneratedKeyPair {
  privateKey: string;
  publicKey: string;
  fingerprint: string;
}

/** nova.crypto.generate_key_pair: a 2048-bit RSA ssh key pair. */
export async function generateSshKeyPair(bits = 2048): Promise<GeneratedKeyPair> {
  const { publicKey, privateKey } = await generateRsaAsync('rsa', {
    modulusLength: bits, publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'jwk' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  } as never) as unknown as { publicKey: { n: string; e: string }; privateKey: string };
  const blob = Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshMpint(publicKey.e), sshMpint(publicKey.n)]);
  const openssh = `ssh-rsa ${blob.toString('base64')} Generated-by-Nova`;
  return { privateKey, publicKey: openssh, fingerprint: sshFingerprint(openssh) };
}

const execFileAsync = promisify(execFile);

/**
 * nova.crypto.generate_winrm_x509_cert: a self-signed client certificate for `CN=<user>` with
 * the user's UPN, made by openssl as upstream does; the private key is the PKCS#12 bundle in
 * base64 and the public key the certificate in PEM.
 */
export async function generateWinrmX509Cert(userId: string, bits = 2048): Promise<GeneratedKeyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'nova-x509-'));
  try {
    const keyfile = join(dir, 'temp.key');
    const conffile = join(dir, 'temp.conf');
    await writeFile(conffile, 'distinguished_name  = req_distinguished_name\n[req_distinguished_name]\n[v3_req_client]\n'
      + `extendedKeyUsage = clientAuth\nsubjectAltName = otherName:1.3.6.1.4.1.311.20.2.3;UTF8:${userId}@localhost\n`);
    const { stdout: certificate } = await execFileAsync('openssl', [
      'req', '-x509', '-nodes', '-days', '3650', '-config', conffile, '-newkey', `rsa:${bits}`, '-outform', 'PEM', '-keyout', keyfile,
      '-subj', `/CN=${userId.replace(/[/\\=+,]/g, (c) => `\\${c}`)}`, '-extensions', 'v3_req_client',
    ], { encoding: 'utf8', timeout: 60_000 });
    const certFile = join(dir, 'temp.crt');
    await writeFile(certFile, certificate);
    const { stdout: p12 } = await execFileAsync('openssl', ['pkcs12', '-export', '-inkey', keyfile, '-in', certFile, '-password', 'pass:'], {
      encoding: 'buffer', timeout: 60_000,
    });
    return { privateKey: p12.toString('base64'), publicKey: certificate, fingerprint: x509Fingerprint(certificate) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
