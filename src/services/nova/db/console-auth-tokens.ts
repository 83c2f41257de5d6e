/**
 * Console tokens (nova's ConsoleAuthToken object over console_auth_tokens): authorize() makes a
 * random token for a console of an instance and stores its SHA-256 with the connection facts
 * and an expiry; validate() finds the live record of a token (what a console proxy and
 * GET /os-console-auth-tokens ask).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import type { ConsoleAuthTokensTable, NovaDB } from './schema.js';

export interface ConsoleAuthorization {
  consoleType: string;
  host: string;
  port: number;
  internalAccessPath: string | null;
  /** The console's UNIX socket on `host`, when it is served on one (ConsoleConnection.unix_socket). */
  unixSocket?: string | null;
  instanceUuid: string;
  accessUrlBase: string;
}

export type ConsoleAuthRecord = Selectable<ConsoleAuthTokensTable>;

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** ConsoleAuthToken.access_url: noVNC takes the token inside its `path` parameter (noVNC >= 1.1), the others as `token`. */
export function consoleAccessUrl(consoleType: string, base: string, token: string): string {
  if (consoleType === 'novnc') return `${base}?${new URLSearchParams({ path: `?token=${token}` }).toString()}`;
  return `${base}?token=${token}`;
}

export class ConsoleAuthTokenRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** authorize(ttl): a new token, valid `ttlSeconds`. */
  async authorize(a: ConsoleAuthorization, ttlSeconds: number): Promise<string> {
    const token = randomUUID();
    await this.db.insertInto('console_auth_tokens').values({
      token_hash: hash(token), console_type: a.consoleType, host: a.host, port: a.port, internal_access_path: a.internalAccessPath, unix_socket: a.unixSocket ?? null,
      instance_uuid: a.instanceUuid, expires: Math.floor(Date.now() / 1000) + ttlSeconds, access_url_base: a.accessUrlBase, created_at: nowIso(), updated_at: null,
    }).execute();
    return token;
  }

  /** The unexpired record of a token, if any. */
  async validate(token: string): Promise<ConsoleAuthRecord | undefined> {
    return this.db.selectFrom('console_auth_tokens').selectAll()
      .where('token_hash', '=', hash(token)).where('expires', '>', Math.floor(Date.now() / 1000)).executeTakeFirst();
  }

  /** console_auth_token_destroy_expired: the expired tokens go (the compute hosts' periodic task); how many went. */
  async destroyExpired(): Promise<number> {
    const r = await this.db.deleteFrom('console_auth_tokens').where('expires', '<=', Math.floor(Date.now() / 1000)).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** The tokens of an instance go when it is deleted or rebuilt (clean_console_auths_for_instance). */
  async deleteForInstance(instanceUuid: string): Promise<void> {
    await this.db.deleteFrom('console_auth_tokens').where('instance_uuid', '=', instanceUuid).execute();
  }
}
