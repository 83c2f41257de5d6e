/**
 * The operation of an S3 request (s3api's S3Request.controller): the service (no bucket), a
 * bucket (?delete, ?uploads, its sub-resources, or the bucket itself), or an object (?uploads,
 * ?uploadId for multipart uploads, or the object itself).
 */
import { MethodNotAllowed } from './errors.js';
import { handleBucket } from './controllers/bucket.js';
import type { S3Call, S3Response } from './controllers/base.js';
import { deleteObjects } from './controllers/multi-delete.js';
import { handleMultipart, listUploads } from './controllers/multipart.js';
import { handleObject } from './controllers/object.js';
import { listBuckets } from './controllers/service.js';

export function dispatch(call: S3Call): Promise<S3Response> {
  const { bucket, key, query, method } = call.req;
  if (bucket === undefined) {
    if (method === 'GET' || method === 'HEAD') return listBuckets(call);
    throw MethodNotAllowed(method, 'SERVICE');
  }
  if (key === undefined) {
    if (query.has('delete') && method === 'POST') return deleteObjects(call);
    if (query.has('uploads') && method === 'GET') return listUploads(call);
    return handleBucket(call);
  }
  if (query.has('uploads') || query.has('uploadId')) return handleMultipart(call);
  return handleObject(call);
}
