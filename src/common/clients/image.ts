/**
 * ImageClient: Glance's Images API v2 as other services use it (Nova reads images and their
 * data, snapshots upload them): image records, and image data streamed both ways, never held
 * whole in memory.
 */
import { query, seg, ServiceProxy, type ServiceDescription } from './proxy.js';
import type { RequestData, StreamResponse } from './session.js';

export interface Image {
  id: string;
  name: string | null;
  status: 'queued' | 'saving' | 'uploading' | 'importing' | 'active' | 'killed' | 'deleted' | 'pending_delete' | 'deactivated';
  visibility: 'public' | 'private' | 'shared' | 'community';
  owner: string | null;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  disk_format: string | null;
  container_format: string | null;
  min_disk: number;
  min_ram: number;
  protected: boolean;
  tags: string[];
  created_at: string;
  updated_at: string;
  /** Additional properties (hw_*, os_*, user properties) are top-level keys. */
  [property: string]: unknown;
}

/** The body of POST /v2/images: core attributes and additional properties. */
export interface ImageCreate {
  id?: string;
  name?: string;
  disk_format?: string;
  container_format?: string;
  visibility?: Image['visibility'];
  min_disk?: number;
  min_ram?: number;
  protected?: boolean;
  tags?: string[];
  [property: string]: unknown;
}

/** One operation of an image update (application/openstack-images-v2.1-json-patch). */
export type ImagePatchOp =
  | { op: 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** Image data being downloaded: a StreamResponse; 204 (no body) when the image has no data. */
export type ImageData = StreamResponse;

export class ImageClient extends ServiceProxy {
  protected readonly service: ServiceDescription = { types: ['image'], version: 'v2' };

  /** GET /v2/images/{id}. */
  async getImage(id: string): Promise<Image> {
    return (await this.json<Image>('GET', `/images/${seg(id)}`)).body;
  }

  /** GET /v2/images with Glance's filters (name, status, visibility, owner, tag, limit, marker...). */
  async listImages(filters: Record<string, string | number | readonly string[]> = {}): Promise<Image[]> {
    return (await this.json<{ images: Image[] }>('GET', `/images${query(filters)}`)).body.images;
  }

  /** One page of GET /v2/images: the images and whether Glance has a next page. */
  async listImagesPage(filters: Record<string, string | number | readonly string[]> = {}): Promise<{ images: Image[]; more: boolean }> {
    const body = (await this.json<{ images: Image[]; next?: string }>('GET', `/images${query(filters)}`)).body;
    return { images: body.images, more: typeof body.next === 'string' && body.next !== '' };
  }

  /** POST /v2/images: a queued image record. */
  async createImage(fields: ImageCreate): Promise<Image> {
    return (await this.json<Image>('POST', '/images', { body: fields })).body;
  }

  /** PATCH /v2/images/{id} with JSON-patch operations (`/name`, `/tags`, `/<property>`). */
  async updateImage(id: string, ops: readonly ImagePatchOp[]): Promise<Image> {
    return (await this.json<Image>('PATCH', `/images/${seg(id)}`, {
      body: ops,
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    })).body;
  }

  /** POST /v2/images/{id}/members: share an image with a project (its status starts pending). */
  async addMember(id: string, member: string): Promise<void> {
    await this.json('POST', `/images/${seg(id)}/members`, { body: { member } });
  }

  /** DELETE /v2/images/{id}. */
  async deleteImage(id: string): Promise<void> {
    await this.json('DELETE', `/images/${seg(id)}`);
  }

  /**
   * PUT /v2/images/{id}/file: upload the image data, read from `data` as Glance takes it. With
   * `size` Glance knows the length up front (Content-Length), otherwise the body is chunked.
   * A streamed upload is not retried (see ServiceSession).
   */
  async uploadData(id: string, data: RequestData, opts: { size?: number; signal?: AbortSignal } = {}): Promise<void> {
    await this.json('PUT', `/images/${seg(id)}/file`, {
      data,
      headers: { 'content-type': 'application/octet-stream', ...(opts.size !== undefined ? { 'content-length': String(opts.size) } : {}) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /**
   * GET /v2/images/{id}/file: the data as a stream (read it or dump it). Content-MD5 and
   * Content-Length are in the headers; `range` asks for part of it (206).
   */
  async downloadData(id: string, opts: { range?: string; signal?: AbortSignal } = {}): Promise<ImageData> {
    return this.stream('GET', `/images/${seg(id)}/file`, {
      headers: { accept: 'application/octet-stream', ...(opts.range ? { range: opts.range } : {}) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
}
