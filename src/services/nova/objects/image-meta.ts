/**
 * nova.objects.ImageMeta: what compute needs of a Glance image (the core attributes, and the
 * additional properties as `properties`, nova's ImageMetaProps).
 */
import type { Image } from '../../../common/clients/index.js';
import { NovaObject } from './base.js';

export interface ImageMetaFields {
  id: string;
  name: string | null;
  status: string;
  visibility: string;
  owner: string | null;
  checksum: string | null;
  size: number | null;
  virtual_size: number | null;
  container_format: string | null;
  disk_format: string | null;
  min_ram: number;
  min_disk: number;
  protected: boolean;
  tags: string[];
  created_at: string | null;
  updated_at: string | null;
  /** hw_*, os_*, img_* and user properties. */
  properties: Record<string, string>;
}

const CORE = new Set([
  'id', 'name', 'status', 'visibility', 'owner', 'checksum', 'size', 'virtual_size', 'container_format', 'disk_format', 'min_ram',
  'min_disk', 'protected', 'tags', 'created_at', 'updated_at', 'os_hash_algo', 'os_hash_value', 'os_hidden', 'file', 'schema', 'self',
  'direct_url', 'locations', 'stores',
]);

export class ImageMeta extends NovaObject<ImageMetaFields> {
  static readonly objName = 'ImageMeta';
  static readonly VERSION = '1.8';

  /** From a Glance v2 image record (nova's ImageMeta.from_dict after glance's _translate_from_glance). */
  static fromGlance(image: Image): ImageMeta {
    const properties: Record<string, string> = {};
    for (const [k, v] of Object.entries(image)) {
      if (!CORE.has(k) && v !== null && v !== undefined) properties[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return new ImageMeta({
      id: image.id, name: image.name, status: image.status, visibility: image.visibility, owner: image.owner, checksum: image.checksum,
      size: image.size, virtual_size: image.virtual_size, container_format: image.container_format, disk_format: image.disk_format,
      min_ram: image.min_ram ?? 0, min_disk: image.min_disk ?? 0, protected: image.protected, tags: image.tags ?? [],
      created_at: image.created_at ?? null, updated_at: image.updated_at ?? null, properties,
    });
  }

  /** The image of a volume-backed server: no Glance image, only the volume's image properties. */
  static empty(): ImageMeta {
    return new ImageMeta({
      id: '', name: null, status: 'active', visibility: 'private', owner: null, checksum: null, size: null, virtual_size: null,
      container_format: null, disk_format: null, min_ram: 0, min_disk: 0, protected: false, tags: [], created_at: null, updated_at: null,
      properties: {},
    });
  }
}
