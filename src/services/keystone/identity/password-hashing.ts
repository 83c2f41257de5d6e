/**
 * Password hashes compatible with Keystone (keystone/common/password_hashers/*): bcrypt
 * (`$2b$`, the default), bcrypt_sha256 (passlib's `$bcrypt-sha256$v=2,t=2b,r=12$salt$digest`),
 * scrypt (`$scrypt$ln=16,r=8,p=1$salt$digest`) and pbkdf2_sha512
 * (`$pbkdf2-sha512$rounds$salt$digest`). bcrypt is the native `bcrypt` package; the others are node:crypto,
 * formatted by hand since no library writes passlib's formats.
 */
import { createHmac, pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
// Native bcrypt: hashing runs on libuv's thread pool, never blocking the event loop (a cost-12
// hash is ~200 ms of CPU; bcryptjs would stall every other request for that long).
import bcrypt from 'bcrypt';
import type { IdentityOptions } from '../config.js';
import { PasswordValidationError, PasswordVerificationError } from '../errors.js';

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (pw: Buffer, salt: Buffer, len: number, opts: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

export type HashAlgorithm = 'bcrypt' | 'bcrypt_sha256' | 'scrypt' | 'pbkdf2_sha512';

export interface HashOptions {
  algorithm: HashAlgorithm;
  /** 0: the algorithm's default. */
  rounds: number;
  saltBytes: number;
  scryptBlockSize: number;
  scryptParallelism: number;
  maxPasswordLength: number;
}

/** The hash options [identity] sets (password_hash_algorithm, password_hash_rounds, ...). */
export function hashOptionsFrom(i: IdentityOptions): HashOptions {
  return {
    algorithm: i.password_hash_algorithm,
    rounds: i.password_hash_rounds,
    saltBytes: i.salt_bytesize,
    scryptBlockSize: i.scrypt_block_size,
    scryptParallelism: i.scrypt_parallelism,
    maxPasswordLength: i.max_password_length,
  };
}

/**
 * A generated random secret (the service users' and a generated admin password: 144 random
 * bits) cannot be guessed whatever the hash costs; the work factor only protects passwords
 * people chose. Such passwords are hashed at bcrypt's least cost (4): a first start then hashes
 * a user per service in a millisecond instead of ~200 ms of CPU each. Other algorithms keep
 * their configured cost. Verification reads the cost from the hash, so nothing else changes.
 */
export function machineSecretHashOptions(opts: HashOptions): HashOptions {
  return opts.algorithm === 'bcrypt' || opts.algorithm === 'bcrypt_sha256' ? { ...opts, rounds: 4 } : opts;
}

const BCRYPT_MAX_LENGTH = 72;

/** Passwords longer than the maximum are truncated (upstream's default, strict_password_check off). */
function truncate(password: string, opts: HashOptions): Buffer {
  const max = opts.algorithm === 'bcrypt' && opts.maxPasswordLength > BCRYPT_MAX_LENGTH ? BCRYPT_MAX_LENGTH : opts.maxPasswordLength;
  if (typeof password !== 'string') throw new PasswordVerificationError(max);
  const bytes = Buffer.from(password, 'utf8');
  return bytes.length > max ? bytes.subarray(0, max) : bytes;
}

/** Standard base64 without padding (what Keystone writes). */
const b64 = (buf: Buffer): string => buf.toString('base64').replace(/=+$/, '');
/** passlib's "ab64" or plain base64, padding optional. */
const unb64 = (s: string): Buffer => Buffer.from(s.replaceAll('.', '+'), 'base64');

export async function hashPassword(password: string, opts: HashOptions): Promise<string> {
  const pw = truncate(password, opts);
  switch (opts.algorithm) {
    case 'bcrypt':
      return bcrypt.hash(pw, opts.rounds || 12);
    case 'bcrypt_sha256': {
      const rounds = opts.rounds || 12;
      const saltWithOpts = await bcrypt.genSalt(rounds);
      const salt = saltWithOpts.slice(-22);
      const hmac = createHmac('sha256', Buffer.from(salt, 'ascii')).update(pw).digest('base64');
      const hashed = await bcrypt.hash(hmac, `$2b$${String(rounds).padStart(2, '0')}$${salt}`);
      return `$bcrypt-sha256$v=2,t=2b,r=${rounds}$${salt}$${hashed.slice(-31)}`;
    }
    case 'scrypt': {
      const ln = opts.rounds || 16;
      const r = opts.scryptBlockSize || 8;
      const p = opts.scryptParallelism || 1;
      const salt = randomBytes(opts.saltBytes || 16);
      const digest = await scryptAsync(pw, salt, 32, scryptParams(ln, r, p));
      return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(digest)}`;
    }
    case 'pbkdf2_sha512': {
      const rounds = opts.rounds || 25000;
      const salt = randomBytes(opts.saltBytes || 16);
      const digest = await pbkdf2Async(pw, salt, rounds, 64, 'sha512');
      return `$pbkdf2-sha512$${rounds}$${b64(salt)}$${b64(digest)}`;
    }
  }
}

function scryptParams(ln: number, r: number, p: number): { N: number; r: number; p: number; maxmem: number } {
  const N = 2 ** ln;
  return { N, r, p, maxmem: 128 * N * r * p + 64 * 1024 * 1024 };
}

/** Whether `password` matches `hashed` (any supported format). Unknown formats never match. */
export async function checkPassword(password: string, hashed: string | null, opts: HashOptions): Promise<boolean> {
  if (password == null || !hashed) return false;
  const pw = truncate(password, opts);
  if (hashed.startsWith('$bcrypt-sha256$')) return verifyBcryptSha256(pw, hashed);
  if (/^\$2[abxy]?\$/.test(hashed)) {
    const normalized = hashed.replace(/^\$2[xy]?\$/, '$2a$').replace(/^\$2\$/, '$2a$');
    return bcrypt.compare(pw, normalized.startsWith('$2b$') ? hashed : normalized);
  }
  if (hashed.startsWith('$scrypt$')) return verifyScrypt(pw, hashed);
  if (hashed.startsWith('$pbkdf2-sha512$')) return verifyPbkdf2(pw, hashed);
  return false;
}

function params(text: string): Map<string, string> {
  return new Map(text.split(',').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
  }));
}

async function verifyBcryptSha256(pw: Buffer, hashed: string): Promise<boolean> {
  const parts = hashed.slice('$bcrypt-sha256$'.length).split('$');
  if (parts.length !== 3) throw new PasswordValidationError('malformed password hash');
  const [opts, salt, digest] = parts as [string, string, string];
  const p = params(opts);
  const ident = p.get('t') ?? '2b';
  const rounds = Number(p.get('r') ?? '12');
  const hmac = createHmac('sha256', Buffer.from(salt, 'ascii')).update(pw).digest('base64');
  const full = `$${ident === '2b' ? '2b' : '2a'}$${String(rounds).padStart(2, '0')}$${salt}${digest}`;
  return bcrypt.compare(hmac, full);
}

async function verifyScrypt(pw: Buffer, hashed: string): Promise<boolean> {
  const parts = hashed.slice(1).split('$');
  if (parts.length !== 4) throw new PasswordValidationError('malformed password hash');
  const [, opts, saltText, digestText] = parts as [string, string, string, string];
  const p = params(opts);
  const salt = unb64(saltText);
  const want = unb64(digestText);
  const got = await scryptAsync(pw, salt, want.length || 32, scryptParams(Number(p.get('ln') ?? '16'), Number(p.get('r') ?? '8'), Number(p.get('p') ?? '1')));
  return got.length === want.length && timingSafeEqual(got, want);
}

async function verifyPbkdf2(pw: Buffer, hashed: string): Promise<boolean> {
  const parts = hashed.slice(1).split('$');
  if (parts.length !== 4) throw new PasswordValidationError('malformed password hash');
  const [, rounds, saltText, digestText] = parts as [string, string, string, string];
  const want = unb64(digestText);
  const got = await pbkdf2Async(pw, unb64(saltText), Number(rounds), want.length || 64, 'sha512');
  return got.length === want.length && timingSafeEqual(got, want);
}
