/**
 * Remembers that a password matched a user's current hash, so bootstrap (which checks the
 * admin and service users' configured passwords at every start) does not pay a bcrypt
 * verification (~300 ms each at cost 12) when nothing changed. An entry is
 * HMAC-SHA256(key, hash || password) with a random key kept in the same 0600 file in the data
 * directory, next to secrets.conf which holds those passwords in clear anyway; a changed hash
 * or password simply misses. Written by hand: a few lines over node:crypto.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

interface CacheFile {
  key: string;
  entries: Record<string, string>;
}

export class PasswordCheckCache {
  private state: CacheFile | undefined;

  constructor(private readonly file: string) {}

  private load(): CacheFile {
    if (this.state) return this.state;
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      if (typeof parsed.key === 'string' && parsed.entries && typeof parsed.entries === 'object') return (this.state = parsed);
    } catch {
      // Missing or unreadable: start afresh.
    }
    return (this.state = { key: randomBytes(32).toString('base64'), entries: {} });
  }

  private mac(hash: string, password: string): string {
    return createHmac('sha256', Buffer.from(this.load().key, 'base64')).update(hash).update('\0').update(password).digest('hex');
  }

  /** Whether this password was seen to match this hash before. */
  matches(userId: string, hash: string, password: string): boolean {
    const entry = this.load().entries[userId];
    if (!entry) return false;
    const want = Buffer.from(entry, 'hex');
    const got = Buffer.from(this.mac(hash, password), 'hex');
    return want.length === got.length && timingSafeEqual(want, got);
  }

  remember(userId: string, hash: string, password: string): void {
    const state = this.load();
    state.entries[userId] = this.mac(hash, password);
    writeFileSync(this.file, JSON.stringify(state), { mode: 0o600 });
  }
}
