/**
 * s3_images (nova's S3ImageMapping): the integer ids of images for their EC2-style names
 * (ami-%08x), which the metadata API's ami-id shows.
 */
import type { Kysely } from 'kysely';
import { columnTypes, type Migration } from '../../../../common/db/index.js';

export const s3Images: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    const t = columnTypes(db);
    await db.schema.createTable('s3_images')
      .addColumn('id', t.serial, t.serialPrimaryKey)
      .addColumn('uuid', t.string(36), (c) => c.notNull().unique())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp)
      .execute();
  },
};
