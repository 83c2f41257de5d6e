/**
 * POST /<bucket>?delete — DeleteObjects (s3api's multi_delete.py): up to [s3api]
 * max_multi_delete_objects keys from a `<Delete>` document (Content-MD5 checked when sent), each
 * deleted as DeleteObject does (a missing key counts as deleted; a few at a time); `<Quiet>` leaves the deleted
 * ones out of the answer.
 */
import { createHash } from 'node:crypto';
import { BACKEND_CONCURRENCY, drain, mapConcurrently } from '../backend.js';
import { contentMd5Etag, readSmallBody } from '../body.js';
import { BadDigest, fromStatus, MalformedXML } from '../errors.js';
import { childrenNamed, childText, el, parseXml, XmlSyntaxError, type XmlElement } from '../xml.js';
import { bucketInfo } from './bucket.js';
import { xmlResponse, type S3Call, type S3Response } from './base.js';

export async function deleteObjects(call: S3Call): Promise<S3Response> {
  const bucket = call.req.bucket!;
  const max = call.settings.maxMultiDeleteObjects;
  const raw = await readSmallBody(call.body, max * 2048 + 4096, () => MalformedXML());
  const md5 = contentMd5Etag(call.req.headers);
  if (md5 !== undefined && createHash('md5').update(raw).digest('hex') !== md5) throw BadDigest();
  let keys: string[];
  let quiet: boolean;
  try {
    const root = parseXml(raw.toString('utf8'));
    if (root.name !== 'Delete') throw MalformedXML();
    quiet = (childText(root, 'Quiet') ?? '').trim().toLowerCase() === 'true';
    keys = childrenNamed(root, 'Object').map((o) => {
      const key = childText(o, 'Key');
      if (key === undefined || key === '') throw MalformedXML();
      return key;
    });
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw MalformedXML();
    throw err;
  }
  if (keys.length === 0 || keys.length > max) throw MalformedXML();
  await bucketInfo(call);
  const results = await mapConcurrently(keys, BACKEND_CONCURRENCY, async (key): Promise<XmlElement | undefined> => {
    const r = await call.swift.call({ method: 'DELETE', container: bucket, object: key });
    drain(r.body);
    if (r.status === 204 || r.status === 200 || r.status === 404) return quiet ? undefined : el('Deleted', [el('Key', key)]);
    const e = fromStatus(r.status, { bucket, key }, r.error);
    return el('Error', [el('Key', key), el('Code', e.code), el('Message', e.message)]);
  });
  return xmlResponse(el('DeleteResult', results));
}
