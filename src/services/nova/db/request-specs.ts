/**
 * Request specs (nova's RequestSpec over the API database): kept per instance as the object's
 * primitive, so a reschedule (or later a resize, evacuate, unshelve) places it again as asked.
 *
 * Departure from nova: nova does not persist requested_networks (RequestSpec._get_update_primitives
 * drops it). Nubo keeps it, so that a build whose messages were lost (a crash, conductor/recovery.ts)
 * can be driven again with the networks and ports the user asked for, and so that the ports the
 * user gave are unbound, never deleted, by a clean-up.
 */
import type { Kysely } from 'kysely';
import { nowIso, upsert } from '../../../common/db/index.js';
import { fromPrimitive, RequestSpec, toPrimitive } from '../objects/index.js';
import type { NovaDB } from './schema.js';

export class RequestSpecRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  async save(spec: RequestSpec): Promise<void> {
    const text = JSON.stringify(toPrimitive(spec));
    const now = nowIso();
    await upsert(this.db, 'request_specs', {
      values: { instance_uuid: spec.data.instance_uuid, spec: text, created_at: now, updated_at: null },
      conflict: ['instance_uuid'],
      update: { spec: text, updated_at: now },
    });
  }

  async get(instanceUuid: string): Promise<RequestSpec | undefined> {
    const row = await this.db.selectFrom('request_specs').select('spec').where('instance_uuid', '=', instanceUuid).executeTakeFirst();
    return row ? (fromPrimitive(JSON.parse(row.spec)) as RequestSpec) : undefined;
  }

  async destroy(instanceUuid: string): Promise<void> {
    await this.db.deleteFrom('request_specs').where('instance_uuid', '=', instanceUuid).execute();
  }
}
