/**
 * Instance faults (nova's InstanceFault): why a server went to ERROR: the error's code (500
 * unless it says otherwise), its message cut to 255 characters, and for unexpected errors
 * (code 500) the traceback as details. The API shows the latest fault of a server.
 */
import type { Kysely } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import { NuboError } from '../../../common/errors.js';
import type { NovaDB } from './schema.js';

export interface FaultRecord {
  instance_uuid: string;
  code: number;
  message: string;
  details: string;
  host: string | null;
  created_at: string;
}

/** nova's exception_to_dict + _get_fault_details. */
export function faultFromError(err: unknown): { code: number; message: string; details: string } {
  const code = err instanceof NuboError ? err.status : 500;
  const message = err instanceof NuboError ? err.message : err instanceof Error ? err.message || err.name : String(err);
  const details = code === 500 && err instanceof Error ? (err.stack ?? String(err)) : '';
  return { code, message: [...message].slice(0, 255).join(''), details };
}

export class FaultRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** compute.utils.add_instance_fault_from_exc. */
  async addFromError(instanceUuid: string, err: unknown, host: string | null): Promise<void> {
    const f = faultFromError(err);
    await this.db.insertInto('instance_faults').values({
      instance_uuid: instanceUuid, code: f.code, message: f.message, details: f.details, host, created_at: nowIso(), updated_at: null, deleted_at: null,
    }).execute();
  }

  /** The latest fault of each instance given. */
  async latest(instanceUuids: readonly string[]): Promise<Map<string, FaultRecord>> {
    const out = new Map<string, FaultRecord>();
    if (instanceUuids.length === 0) return out;
    const rows = await this.db.selectFrom('instance_faults').select(['instance_uuid', 'code', 'message', 'details', 'host', 'created_at', 'id'])
      .where('instance_uuid', 'in', [...instanceUuids]).orderBy('id', 'desc').execute();
    for (const r of rows) {
      if (!out.has(r.instance_uuid)) out.set(r.instance_uuid, { ...r, message: r.message ?? '', details: r.details ?? '' });
    }
    return out;
  }
}
