/**
 * EC2-style ids (nova/api/ec2/ec2utils.py): an instance's is `i-%08x` of its id; an image's
 * is `ami-%08x` of its row in s3_images (S3ImageMapping), made on first use.
 */
import type { Kysely } from 'kysely';
import { nowIso } from '../../../common/db/index.js';
import type { NovaDB } from './schema.js';

export const ec2Id = (prefix: string, id: number): string => `${prefix}-${id.toString(16).padStart(8, '0')}`;

export class S3ImageRepo {
  constructor(private readonly db: Kysely<NovaDB>) {}

  /** glance_id_to_id: the integer id of an image uuid, created when missing. */
  async idOf(uuid: string): Promise<number> {
    const find = () => this.db.selectFrom('s3_images').select('id').where('uuid', '=', uuid).executeTakeFirst();
    const row = await find();
    if (row) return row.id;
    try {
      await this.db.insertInto('s3_images').values({ uuid, created_at: nowIso(), updated_at: null }).execute();
    } catch (err) {
      // another request made it first: its row is the mapping
      if (!(await find())) throw err;
    }
    return (await find())!.id;
  }
}
