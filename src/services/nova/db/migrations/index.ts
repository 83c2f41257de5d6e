/** Schema migrations of Nova's database, applied in name order. */
import type { Migrations } from '../../../../common/db/index.js';
import { initial } from './0001_initial.js';
import { s3Images } from './0008_s3_images.js';

export const novaMigrations: Migrations = {
  '0001_initial': initial,
  '0008_s3_images': s3Images,
};
