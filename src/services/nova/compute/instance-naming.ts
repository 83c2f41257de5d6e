/**
 * Names of new servers (nova/compute/api.py _populate_instance_names, nova/utils.py
 * sanitize_hostname and get_system_metadata_from_image): display names and hostnames of
 * multi-server requests, hostnames from display names, reservation ids, and the image
 * properties kept in an instance's system metadata.
 */
import { randomInt } from 'node:crypto';
import type { Flavor, ImageMeta } from '../objects/index.js';

/** RFC 952/1123 hostname from any name, at most 63 characters ('' when nothing is left). */
export function sanitizeHostname(name: string): string {
  let h = [...name].filter((c) => c.charCodeAt(0) <= 0xff).join('').slice(0, 63);
  h = h.replace(/[ _.]/g, '-').replace(/[^\w.-]+/g, '').toLowerCase();
  return h.replace(/^[.-]+|[.-]+$/g, '');
}

/** display_name and hostname of server `index` of `count`. */
export function instanceNames(displayName: string, hostname: string | undefined, uuid: string, count: number, index: number): { displayName: string; hostname: string } {
  let host = hostname;
  if (!host) {
    const sanitized = sanitizeHostname(displayName);
    host = !sanitized ? `Server-${uuid}` : count > 1 ? `${sanitized}-${index + 1}` : sanitized;
  }
  return { displayName: count > 1 ? `${displayName}-${index + 1}` : displayName, hostname: host };
}

/** nova's reservation ids: 'r-' and 8 characters of [a-z0-9]. */
export function newReservationId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return `r-${Array.from({ length: 8 }, () => alphabet[randomInt(alphabet.length)]).join('')}`;
}

const SKIP_KEYS = new Set(['mappings', 'block_device_mapping', 'img_mappings', 'img_block_device_mapping']);

/** image_<property> entries of system metadata (values cut to 255 characters). */
export function systemMetadataFromImage(image: ImageMeta, flavor: Flavor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(image.data.properties)) if (!SKIP_KEYS.has(k)) out[`image_${k}`] = [...v].slice(0, 255).join('');
  const i = image.data;
  out['image_min_ram'] = String(i.min_ram);
  out['image_min_disk'] = String(i.disk_format === 'vhd' ? flavor.data.root_gb : Math.max(i.min_disk, flavor.data.root_gb));
  if (i.disk_format) out['image_disk_format'] = i.disk_format;
  if (i.container_format) out['image_container_format'] = i.container_format;
  if (i.id) out['image_base_image_ref'] = i.id;
  return out;
}
