/**
 * The image as the service handles it (glance.domain.Image): core attributes, custom
 * properties, tags and data locations, plus the rules attached to attributes (visibility
 * values, formats replaceable only while queued, non-negative min_disk/min_ram).
 */
import { BadRequest, Forbidden } from '../../../common/errors.js';

export const IMAGE_STATUSES = [
  'queued', 'saving', 'active', 'killed', 'deleted', 'uploading', 'importing', 'pending_delete', 'deactivated',
] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export const VISIBILITIES = ['community', 'public', 'private', 'shared'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface ImageLocation {
  id: string;
  url: string;
  metadata: Record<string, unknown>;
  status: 'active' | 'pending_delete' | 'deleted';
}

export interface Image {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: Visibility;
  protected: boolean;
  os_hidden: boolean;
  min_disk: number;
  min_ram: number;
  owner: string | null;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  created_at: string;
  updated_at: string;
  /** Custom (extra) properties; values are strings (null only for schema properties such as kernel_id). */
  properties: Record<string, string | null>;
  tags: string[];
  /** Active data locations, in order. */
  locations: ImageLocation[];
}

/** Core attributes a PATCH may set directly (hasattr(image, name) upstream). */
export const CORE_ATTRIBUTES = [
  'name', 'status', 'visibility', 'protected', 'os_hidden', 'min_disk', 'min_ram', 'owner', 'disk_format',
  'container_format', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at',
  'tags', 'locations', 'id',
] as const;

export function isCoreAttribute(name: string): boolean {
  return (CORE_ATTRIBUTES as readonly string[]).includes(name);
}

/** The reserved namespace of Glance-managed properties (os_glance_import_task, ...). */
export const RESERVED_NAMESPACE = 'os_glance';

/**
 * Set a core attribute with the domain's rules.
 * @throws Forbidden for formats of a non-queued image, BadRequest for bad values
 */
export function setCoreAttribute(image: Image, name: string, value: unknown): void {
  switch (name) {
    case 'visibility':
      if (!(VISIBILITIES as readonly string[]).includes(value as string)) {
        throw new BadRequest('Visibility must be one of "community", "public", "private", or "shared"');
      }
      image.visibility = value as Visibility;
      return;
    case 'disk_format':
    case 'container_format':
      if (image.status !== 'queued' && image.status !== 'importing') {
        throw new Forbidden(`Attribute ${name} can be only replaced for a queued image.`);
      }
      image[name] = value as string | null;
      return;
    case 'min_disk':
    case 'min_ram':
      if (typeof value === 'number' && value < 0) {
        throw new BadRequest(`Invalid value '${value}' for parameter '${name}': Cannot be a negative value.`);
      }
      image[name] = (value as number | null) ?? 0;
      return;
    case 'tags':
      image.tags = [...new Set(value as string[])];
      return;
    case 'name':
    case 'owner':
      image[name] = value as string | null;
      return;
    case 'protected':
    case 'os_hidden':
      image[name] = Boolean(value);
      return;
    default:
      throw new Forbidden(`Attribute '${name}' is read-only.`);
  }
}
