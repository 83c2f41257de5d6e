/**
 * Packs token payloads into Fernet tokens and back (keystone/token/token_formatters.py
 * TokenFormatter): msgpack, encrypt with the primary key, strip the base64 padding. The
 * token's issue time is the Fernet timestamp, not part of the payload.
 */
import { InvalidFernetToken } from './fernet.js';
import type { KeyRepository } from './key-repository.js';
import { PayloadError, packPayload, unpackPayload, type TokenPayload } from './payload.js';

/** The token cannot be read: bad format, wrong keys, or an unknown payload. */
export class UnreadableToken extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreadableToken';
  }
}

export interface DecodedToken {
  payload: TokenPayload;
  /** Seconds since the epoch. */
  issuedAt: number;
}

export class TokenFormatter {
  constructor(private readonly keys: KeyRepository) {}

  /** A new token id for the payload, and its issue time (seconds since the epoch). */
  create(payload: TokenPayload, now = Math.floor(Date.now() / 1000)): { id: string; issuedAt: number } {
    const token = this.keys.current().encrypt(packPayload(payload), { now });
    return { id: token.replace(/=+$/, ''), issuedAt: now };
  }

  /** Decrypt and decode; throws UnreadableToken. Expiry is not checked here. */
  decode(token: string): DecodedToken {
    let decrypted;
    try {
      decrypted = this.keys.current().decrypt(token);
    } catch (err) {
      if (err instanceof InvalidFernetToken) throw new UnreadableToken('Could not recognize Fernet token', { cause: err });
      throw err;
    }
    try {
      return { payload: unpackPayload(decrypted.plaintext), issuedAt: decrypted.timestamp };
    } catch (err) {
      if (err instanceof PayloadError) throw new UnreadableToken(err.message, { cause: err });
      throw err;
    }
  }
}
