/**
 * Key pairs (nova's KeyPair and KeyPairList over the API database): one user's key pairs by
 * name, created, listed in name order with a marker, counted (the key_pairs quota) and deleted.
 */
import type { Kysely } from 'kysely';
import { insertReturningId, isUniqueViolation, nowIso } from '../../../common/db/index.js';
import { KeyPairExists, KeypairNotFound, MarkerNotFound } from '../errors.js';
import type { NovaDB } from './schema.js';

export interface KeyPairRecord {
  id: number;
  name: string;
  user_id: string;
  fingerprint: string;
  public_key: string;
  type: string;
  created_at: string;
  updated_at: string | null;
}

const COLUMNS = ['id', 'name', 'user_id', 'fingerprint', 'public_key', 'type', 'created_at', 'updated_at'] as const;

export class KeyPairRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** @throws KeypairNotFound */
  async get(userId: string, name: string): Promise<KeyPairRecord> {
    const row = await this.db.selectFrom('key_pairs').select(COLUMNS).where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    if (!row) throw new KeypairNotFound(name, userId);
    return row;
  }

  /** KeyPairList.get_by_user: by name, after the marker (a name). @throws MarkerNotFound */
  async list(userId: string, page: { limit?: number; marker?: string } = {}): Promise<KeyPairRecord[]> {
    let q = this.db.selectFrom('key_pairs').select(COLUMNS).where('user_id', '=', userId);
    if (page.marker !== undefined) {
      const marker = await this.db.selectFrom('key_pairs').select('name').where('user_id', '=', userId).where('name', '=', page.marker).executeTakeFirst();
      if (!marker) throw new MarkerNotFound(page.marker);
      q = q.where('name', '>', marker.name);
    }
    q = q.orderBy('name', 'asc').orderBy('id', 'asc');
    if (page.limit !== undefined) q = q.limit(page.limit);
    return q.execute();
  }

  /** KeyPairList.get_count_by_user. */
  async count(userId: string): Promise<number> {
    const row = await this.db.selectFrom('key_pairs').select((eb) => eb.fn.countAll<string | number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** KeyPair.create. @throws KeyPairExists */
  async create(kp: Omit<KeyPairRecord, 'id' | 'created_at' | 'updated_at'>): Promise<KeyPairRecord> {
    try {
      await insertReturningId(this.db, 'key_pairs', { ...kp, created_at: nowIso(), updated_at: null });
    } catch (err) {
      if (isUniqueViolation(err)) throw new KeyPairExists(kp.name);
      throw err;
    }
    return this.get(kp.user_id, kp.name);
  }

  /** KeyPair.destroy_by_name. @throws KeypairNotFound */
  async destroy(userId: string, name: string): Promise<void> {
    const res = await this.db.deleteFrom('key_pairs').where('user_id', '=', userId).where('name', '=', name).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new KeypairNotFound(name, userId);
  }
}
