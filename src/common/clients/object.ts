/**
 * ObjectClient: the Swift API (object-store) as services use it (Glance's swift store, backups):
 * the account's containers, a container's objects, and objects read and written as streams.
 * The catalog endpoint is the account URL (…/v1/AUTH_<project>); paths go below it.
 */
import { query, seg, ServiceProxy, type ServiceDescription } from './proxy.js';
import type { RequestData, ResponseHeaders, StreamResponse } from './session.js';

export interface ContainerInfo {
  name: string;
  count: number;
  bytes: number;
  last_modified?: string;
}

/** An object of a listing; with a delimiter, `subdir` entries stand for pseudo-folders. */
export interface ObjectInfo {
  name?: string;
  subdir?: string;
  hash?: string;
  bytes?: number;
  content_type?: string;
  last_modified?: string;
}

export interface ListingQuery {
  prefix?: string;
  delimiter?: string;
  marker?: string;
  end_marker?: string;
  limit?: number;
}

/** A listing and the headers that came with it (X-Account-* / X-Container-* counts and metadata). */
export interface Listing<T> {
  headers: ResponseHeaders;
  items: T[];
}

export interface PutObjectOptions {
  contentType?: string;
  /** Known length (Content-Length); otherwise the body is chunked. */
  size?: number;
  /** MD5 of the content, checked by Swift. */
  etag?: string;
  /** X-Object-Meta-*, X-Delete-At... */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** `a/b c` -> `a/b%20c`: an object name keeps its slashes. */
function objectPath(container: string, name: string): string {
  return `/${seg(container)}/${name.split('/').map(seg).join('/')}`;
}

export class ObjectClient extends ServiceProxy {
  protected readonly service: ServiceDescription = { types: ['object-store'] };

  /** GET the account: its containers. */
  async getAccount(q: ListingQuery = {}): Promise<Listing<ContainerInfo>> {
    const res = await this.json<ContainerInfo[] | ''>('GET', query({ format: 'json', ...q }));
    return { headers: res.headers, items: Array.isArray(res.body) ? res.body : [] };
  }

  /** GET a container: its objects. */
  async getContainer(container: string, q: ListingQuery = {}): Promise<Listing<ObjectInfo>> {
    const res = await this.json<ObjectInfo[] | ''>('GET', `/${seg(container)}${query({ format: 'json', ...q })}`);
    return { headers: res.headers, items: Array.isArray(res.body) ? res.body : [] };
  }

  /** PUT a container (created, or its metadata updated: X-Container-Read, X-Container-Meta-*...). */
  async putContainer(container: string, headers: Record<string, string> = {}): Promise<void> {
    await this.json('PUT', `/${seg(container)}`, { headers });
  }

  /** HEAD a container: its headers (counts, ACLs, metadata); a missing one is a ServiceClientError 404. */
  async headContainer(container: string): Promise<ResponseHeaders> {
    return (await this.json('HEAD', `/${seg(container)}`)).headers;
  }

  /** POST a container: set its ACLs (X-Container-Read/-Write) or metadata. */
  async postContainer(container: string, headers: Record<string, string>): Promise<void> {
    await this.json('POST', `/${seg(container)}`, { headers });
  }

  /** DELETE a container (Swift refuses with 409 while it holds objects). */
  async deleteContainer(container: string): Promise<void> {
    await this.json('DELETE', `/${seg(container)}`);
  }

  /** HEAD an object: its headers (length, ETag, X-Object-Manifest, X-Static-Large-Object...). */
  async headObject(container: string, name: string): Promise<ResponseHeaders> {
    return (await this.json('HEAD', objectPath(container, name))).headers;
  }

  /** GET an object as a stream (read it or dump it); `range` asks for part of it. */
  async getObject(container: string, name: string, opts: { range?: string; signal?: AbortSignal } = {}): Promise<StreamResponse> {
    return this.stream('GET', objectPath(container, name), {
      headers: { accept: '*/*', ...(opts.range ? { range: opts.range } : {}) },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** PUT an object, read from `data` as Swift takes it; resolves with Swift's ETag. */
  async putObject(container: string, name: string, data: RequestData, opts: PutObjectOptions = {}): Promise<{ etag: string | undefined }> {
    const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/octet-stream', ...opts.headers };
    if (opts.size !== undefined) headers['content-length'] = String(opts.size);
    if (opts.etag) headers['etag'] = opts.etag;
    const res = await this.json('PUT', objectPath(container, name), { data, headers, ...(opts.signal ? { signal: opts.signal } : {}) });
    const etag = res.headers['etag'];
    return { etag: typeof etag === 'string' ? etag.replace(/^"|"$/g, '') : undefined };
  }

  /** DELETE an object; `multipartManifest` deletes a static large object's segments with it. */
  async deleteObject(container: string, name: string, opts: { multipartManifest?: boolean } = {}): Promise<void> {
    await this.json('DELETE', `${objectPath(container, name)}${opts.multipartManifest ? query({ 'multipart-manifest': 'delete' }) : ''}`);
  }
}
