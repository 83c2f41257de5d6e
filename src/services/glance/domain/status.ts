/**
 * The image status machine (glance.domain.Image.valid_state_targets):
 *
 *   queued -> saving -> active            (PUT /file)
 *   queued -> uploading -> importing -> active   (stage + import)
 *   active <-> deactivated; any -> deleted; saving -> killed on a failed upload (v2 restores
 *   queued instead so the upload can be retried).
 *
 * Moving from queued/uploading to a data-holding state needs disk_format and container_format.
 */
import { BadRequest, Conflict } from '../../../common/errors.js';
import type { Image, ImageStatus } from './image.js';
import { InvalidImageStatusTransition, MissingImageFormats } from '../errors.js';

export const VALID_TRANSITIONS: Readonly<Record<ImageStatus, readonly ImageStatus[]>> = {
  queued: ['saving', 'uploading', 'importing', 'active', 'deleted'],
  saving: ['active', 'killed', 'deleted', 'queued'],
  uploading: ['importing', 'queued', 'deleted'],
  importing: ['active', 'deleted', 'queued'],
  active: ['pending_delete', 'deleted', 'deactivated'],
  killed: ['deleted'],
  pending_delete: ['deleted', 'active'],
  deleted: [],
  deactivated: ['active', 'deleted'],
};

/**
 * Apply a status change to the image, enforcing the machine. Going back to queued forgets the
 * size and virtual size, as upstream does.
 */
export function transition(image: Image, to: ImageStatus): void {
  const from = image.status;
  if (!VALID_TRANSITIONS[from].includes(to)) throw new InvalidImageStatusTransition(from, to);
  if ((from === 'queued' || from === 'uploading') && (to === 'saving' || to === 'active' || to === 'importing')) {
    const missing = (['disk_format', 'container_format'] as const).filter((k) => !image[k]);
    if (missing.length === 1) throw new MissingImageFormats(`Property ${missing[0]} must be set prior to saving data.`);
    if (missing.length > 1) throw new MissingImageFormats(`Properties ${missing.join(', ')} must be set prior to saving data.`);
  }
  if (to === 'queued') {
    image.size = null;
    image.virtual_size = null;
  }
  image.status = to;
}
