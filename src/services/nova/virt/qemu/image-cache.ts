/**
 * The image cache: Glance images downloaded once per host into <instances_path>/_base/<image
 * id> (read with the compute host's own token) and shared, read-only, by the qcow2 overlays
 * that are the guests' root disks. Only qcow2 and raw images are taken; a qcow2 with a backing
 * file of its own is refused (it could name any file of the host).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ImageUnacceptable } from '../../errors.js';
import type { ImageMeta } from '../../objects/index.js';
import { diskInfo } from './qemu-img.js';

/** Where the image's data comes from (Glance's GET /v2/images/{id}/file). */
export type ImageFetcher = (imageId: string) => Promise<Readable>;

export interface CachedImage {
  path: string;
  format: 'qcow2' | 'raw';
  virtualSize: number;
}

export class ImageCache {
  /** Downloads under way by image id: concurrent spawns of one image (its disk, kernel or ramdisk) share one. */
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly dir: string, private readonly fetch: ImageFetcher) {}

  /** The base image of `image`, downloaded unless the cache has it. @throws ImageUnacceptable */
  base(image: ImageMeta): Promise<CachedImage> {
    return this.baseOf(image.data.id, image.data.disk_format);
  }

  /** The base image `id` of `format` (a moved disk's backing image), downloaded unless the cache has it. @throws ImageUnacceptable */
  async baseOf(id: string, format: string | null | undefined): Promise<CachedImage> {
    if (format !== 'qcow2' && format !== 'raw') {
      throw new ImageUnacceptable(id, `the qemu driver boots qcow2 and raw images, not ${format ?? 'an image without disk_format'}`);
    }
    const path = await this.once(id, format);
    const info = await diskInfo(path, format);
    return { path, format, virtualSize: info.virtualSize };
  }

  /** A kernel or ramdisk image (kernel_id, ramdisk_id): its file, downloaded unless the cache has it. */
  file(imageId: string): Promise<string> {
    return this.once(imageId, null);
  }

  /**
   * cache_image as libvirt's driver: the image fetched into the cache before any boot needs it
   * (true), or, when the cache has it, its file's times touched (false). A kernel or ramdisk is
   * kept as it comes, a disk checked as a boot's. @throws ImageUnacceptable
   */
  async precache(image: ImageMeta): Promise<boolean> {
    const { id, disk_format: format } = image.data;
    const path = join(this.dir, checkedId(id));
    if (existsSync(path)) {
      const now = new Date();
      utimesSync(path, now, now);
      return false;
    }
    if (format === 'aki' || format === 'ari') await this.file(id);
    else await this.baseOf(id, format);
    return true;
  }

  /** The file another host's cache holds at `path` (_base/<image id>), in this cache (downloaded unless it has it). */
  sameAs(path: string): Promise<string> {
    return this.file(basename(path));
  }

  private once(id: string, format: 'qcow2' | 'raw' | null): Promise<string> {
    let pending = this.inFlight.get(id);
    if (!pending) {
      pending = this.download(id, format).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, pending);
    }
    return pending;
  }

  /** The image's data at _base/<id>; a disk (`format`) is checked before it is kept. */
  private async download(id: string, format: 'qcow2' | 'raw' | null): Promise<string> {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, checkedId(id));
    if (existsSync(path)) return path;
    const part = `${path}.part`;
    try {
      await pipeline(await this.fetch(id), createWriteStream(part));
      if (format && (await diskInfo(part, format)).backingFile) throw new ImageUnacceptable(id, 'a qcow2 image with a backing file');
      renameSync(part, path);
    } finally {
      rmSync(part, { force: true });
    }
    return path;
  }
}

/** An image id fit to be a file name in the cache. @throws ImageUnacceptable */
function checkedId(id: string): string {
  if (!/^[0-9a-zA-Z-]+$/.test(id)) throw new ImageUnacceptable(id, 'not an image id');
  return id;
}
