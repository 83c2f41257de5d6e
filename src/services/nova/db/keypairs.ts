/** Key pairs (nova's KeyPair object over the API database): the look-up a boot needs. */
import type { Kysely } from 'kysely';
import { KeypairNotFound } from '../errors.js';
import type { NovaDB } from './schema.js';

export interface KeyPairRecord {
  name: string;
  user_id: string;
  fingerprint: string;
  public_key: string;
  type: string;
  created_at: string;
}

export class KeyPairRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** @throws KeypairNotFound */
  async get(userId: string, name: string): Promise<KeyPairRecord> {
    const row = await this.db.selectFrom('key_pairs').select(['name', 'user_id', 'fingerprint', 'public_key', 'type', 'created_at'])
      .where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    if (!row) throw new KeypairNotFound(name, userId);
    return row;
  }
}
