/**
 * console_auth_tokens.unix_socket (Nubo's): the path of a console served on a UNIX socket (a
 * QEMU in the compute host's network namespace), which a console proxy connects to instead of
 * host:port.
 */
import type { Kysely } from 'kysely';
import { columnTypes, type Migration } from '../../../../common/db/index.js';

export const consoleUnixSocket: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const t = columnTypes(db);
    await db.schema.alterTable('console_auth_tokens').addColumn('unix_socket', t.string(255)).execute();
  },
};
