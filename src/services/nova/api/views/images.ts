/**
 * Nova's image view (nova/api/openstack/compute/views/images.py): an image of the images proxy,
 * basic (id, name, links) or detailed (Glance's status as nova's, progress, minRam/minDisk,
 * the additional properties as metadata, the snapshotted server, OS-EXT-IMG-SIZE:size and
 * OS-DCF:diskConfig), links with an `alternate` to the image at Glance.
 */
import type { ImageMeta } from '../../objects/index.js';
import type { Link, LinkBuilder } from '../links.js';
import { strictBool } from '../list-params.js';

const STATUS: Readonly<Record<string, string>> = {
  active: 'ACTIVE', queued: 'SAVING', saving: 'SAVING', deleted: 'DELETED', pending_delete: 'DELETED', killed: 'ERROR',
};
const PROGRESS: Readonly<Record<string, number>> = { queued: 25, saving: 50, active: 100 };

/** utils.isotime: '2026-12-03T09:13:36Z'. */
function isotime(t: string | null): string | null {
  if (!t) return null;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? t : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ImageViewBuilder {
  /** `glanceUrl`: generate_glance_url, the image endpoint the alternate links point at. */
  constructor(private readonly links: LinkBuilder, private readonly glanceUrl: string) {}

  private imageLinks(id: string): Link[] {
    return [
      ...this.links.resource('images', id),
      { rel: 'alternate', type: 'application/vnd.openstack.image', href: `${this.glanceUrl.replace(/\/+$/, '')}/images/${id}` },
    ];
  }

  basic(image: ImageMeta): Record<string, unknown> {
    return { id: image.data.id, name: image.data.name, links: this.imageLinks(image.data.id) };
  }

  show(image: ImageMeta): Record<string, unknown> {
    const d = image.data;
    const view: Record<string, unknown> = {
      id: d.id, name: d.name, minRam: d.min_ram || 0, minDisk: d.min_disk || 0, metadata: { ...d.properties },
      created: isotime(d.created_at), updated: isotime(d.updated_at),
      status: STATUS[d.status] ?? 'UNKNOWN', progress: PROGRESS[d.status] ?? 0,
      // nova's _extract_attributes_v2 reads a missing size as 0
      'OS-EXT-IMG-SIZE:size': d.size ?? 0, links: this.imageLinks(d.id),
    };
    const server = d.properties['instance_uuid'];
    if (server !== undefined) view['server'] = { id: server, links: this.links.resource('servers', server) };
    const diskConfig = d.properties['auto_disk_config'];
    if (diskConfig !== undefined) view['OS-DCF:diskConfig'] = strictBool(diskConfig) === true ? 'AUTO' : 'MANUAL';
    return view;
  }
}
