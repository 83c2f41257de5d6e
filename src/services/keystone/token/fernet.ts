/**
 * Fernet (https://github.com/fernet/spec): AES-128-CBC + HMAC-SHA256 authenticated tokens,
 * version byte 0x80, 64-bit big-endian timestamp, base64url. Written with node:crypto: the npm
 * `fernet` package depends on a 2013 crypto-js and the others are unmaintained (design research
 * A.4). `FernetRing` is Python's MultiFernet: the first key encrypts, every key decrypts.
 *
 * Keystone strips the base64 `=` padding from its tokens; decrypt() accepts tokens with or
 * without it.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 0x80;
const HEADER = 1 + 8 + 16; // version, timestamp, IV
const MAC = 32;
const MAX_CLOCK_SKEW_SECONDS = 60;
const B64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** The token is not a valid Fernet token for any of the keys (or is too old / from the future). */
export class InvalidFernetToken extends Error {
  constructor(reason: string) {
    super(`Invalid Fernet token: ${reason}`);
    this.name = 'InvalidFernetToken';
  }
}

/** A Fernet key file's content is not 32 url-safe-base64 bytes. */
export class InvalidFernetKey extends Error {
  constructor(message = 'Fernet key must be 32 url-safe base64-encoded bytes.') {
    super(message);
    this.name = 'InvalidFernetKey';
  }
}

export interface EncryptOptions {
  /** Seconds since the epoch written into the token (default: now). */
  now?: number;
  /** 16-byte IV (default: random); fixed only for the spec's test vectors. */
  iv?: Uint8Array;
}

export interface DecryptOptions {
  /** Reject tokens older than this many seconds (and tokens from > 60 s in the future). */
  ttl?: number;
  /** Seconds since the epoch used for the TTL check (default: now). */
  now?: number;
}

export interface Decrypted {
  plaintext: Buffer;
  /** The token's creation time, seconds since the epoch. */
  timestamp: number;
}

/** Decode url-safe base64 strictly (Buffer.from ignores bad characters; Fernet must not). */
export function decodeBase64Url(text: string): Buffer | undefined {
  if (!B64URL.test(text)) return undefined;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  if (text.length !== body.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(body, 'base64url');
}

/** A single Fernet key: 16 bytes of signing key then 16 bytes of encryption key. */
export class Fernet {
  private readonly signingKey: Buffer;
  private readonly encryptionKey: Buffer;

  constructor(key: string) {
    const raw = decodeBase64Url(key.trim());
    if (!raw || raw.length !== 32) throw new InvalidFernetKey();
    this.signingKey = raw.subarray(0, 16);
    this.encryptionKey = raw.subarray(16);
  }

  /** A new random key, url-safe base64 with padding (as cryptography's Fernet.generate_key()). */
  static generateKey(): string {
    return randomBytes(32).toString('base64url') + '=';
  }

  /** The token as url-safe base64 with its `=` padding (strip it for Keystone). */
  encrypt(plaintext: Uint8Array, opts: EncryptOptions = {}): string {
    const iv = opts.iv ? Buffer.from(opts.iv) : randomBytes(16);
    if (iv.length !== 16) throw new RangeError('Fernet IV must be 16 bytes');
    const cipher = createCipheriv('aes-128-cbc', this.encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const header = Buffer.alloc(HEADER);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(Math.floor(opts.now ?? Date.now() / 1000)), 1);
    iv.copy(header, 9);
    const signed = Buffer.concat([header, ciphertext]);
    const mac = createHmac('sha256', this.signingKey).update(signed).digest();
    return Buffer.concat([signed, mac]).toString('base64url').padEnd(Math.ceil((signed.length + MAC) / 3) * 4, '=');
  }

  /** Verify and decrypt; throws InvalidFernetToken. */
  decrypt(token: string, opts: DecryptOptions = {}): Decrypted {
    return this.decryptBytes(parseToken(token), opts);
  }

  /** decrypt() on a token already base64-decoded (FernetRing decodes once for all keys). */
  decryptBytes(data: Buffer, opts: DecryptOptions = {}): Decrypted {
    const timestamp = Number(data.readBigUInt64BE(1));
    if (opts.ttl !== undefined) {
      const now = opts.now ?? Date.now() / 1000;
      if (timestamp + opts.ttl < now) throw new InvalidFernetToken('expired');
      if (now + MAX_CLOCK_SKEW_SECONDS < timestamp) throw new InvalidFernetToken('timestamp in the future');
    }
    const signedEnd = data.length - MAC;
    const mac = createHmac('sha256', this.signingKey).update(data.subarray(0, signedEnd)).digest();
    if (!timingSafeEqual(mac, data.subarray(signedEnd))) throw new InvalidFernetToken('bad signature');
    const decipher = createDecipheriv('aes-128-cbc', this.encryptionKey, data.subarray(9, HEADER));
    try {
      const plaintext = Buffer.concat([decipher.update(data.subarray(HEADER, signedEnd)), decipher.final()]);
      return { plaintext, timestamp };
    } catch {
      throw new InvalidFernetToken('bad padding');
    }
  }
}

/** Base64-decode a token and check its framing (version byte, sizes). */
function parseToken(token: string): Buffer {
  const data = decodeBase64Url(token);
  if (!data) throw new InvalidFernetToken('not url-safe base64');
  if (data.length < HEADER + 16 + MAC || (data.length - HEADER - MAC) % 16 !== 0) {
    throw new InvalidFernetToken('bad length');
  }
  if (data[0] !== VERSION) throw new InvalidFernetToken('unknown version');
  return data;
}

/** Several keys: the first (primary) encrypts, any of them decrypts (Python's MultiFernet). */
export class FernetRing {
  private readonly fernets: Fernet[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new InvalidFernetKey('A Fernet key ring needs at least one key.');
    this.fernets = keys.map((k) => new Fernet(k));
  }

  get size(): number {
    return this.fernets.length;
  }

  encrypt(plaintext: Uint8Array, opts: EncryptOptions = {}): string {
    return (this.fernets[0] as Fernet).encrypt(plaintext, opts);
  }

  decrypt(token: string, opts: DecryptOptions = {}): Decrypted {
    const data = parseToken(token);
    let last: unknown;
    for (const f of this.fernets) {
      try {
        return f.decryptBytes(data, opts);
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof InvalidFernetToken ? last : new InvalidFernetToken('no key matched');
  }
}

/** The creation time written in a token, seconds since the epoch (no key needed). */
export function fernetTimestamp(token: string): number {
  return Number(parseToken(token).readBigUInt64BE(1));
}
