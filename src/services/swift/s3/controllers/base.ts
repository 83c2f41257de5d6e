/**
 * What the S3 controllers share (s3api's controllers/base.py): the call they handle (the routed
 * request, its signer's identity, the Swift API on the signer's account, the raw body) and
 * their answer, an XML document or a stream.
 */
import type { Readable } from 'node:stream';
import type { S3Identity } from '../auth.js';
import type { SwiftBackend } from '../backend.js';
import type { S3Request } from '../request.js';
import type { AuthInfo } from '../signature.js';
import { MalformedXML } from '../errors.js';
import { parseXml, xmlDocument, XmlSyntaxError, type XmlElement, type XmlNode } from '../xml.js';

/** [s3api] options the controllers apply. */
export interface S3Settings {
  location: string;
  maxBucketListing: number;
  maxPartsListing: number;
  maxMultiDeleteObjects: number;
  minSegmentSize: number;
  maxUploadPartNum: number;
}

export interface S3Call {
  req: S3Request;
  auth: AuthInfo;
  identity: S3Identity;
  swift: SwiftBackend;
  /** The request body as it arrived. */
  body: Readable;
  settings: S3Settings;
}

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body?: string | Readable;
}

export const xmlResponse = (root: XmlElement, status = 200, headers: Record<string, string> = {}): S3Response => ({
  status, headers: { 'content-type': 'application/xml', ...headers }, body: xmlDocument(root),
});

export const empty = (status: number, headers: Record<string, string> = {}): S3Response => ({ status, headers });

/** The owner shown in listings and ACLs: the project of the signer. */
export function owner(call: S3Call): XmlElement[] {
  const t = call.identity.token;
  return [{ name: 'ID', text: t.projectId ?? '' }, { name: 'DisplayName', text: t.projectName ?? t.projectId ?? '' }];
}

/** The segments container of a bucket (s3api's MULTIUPLOAD_SUFFIX). */
export const segmentsContainer = (bucket: string): string => `${bucket}+segments`;

/** A request's XML document; MalformedXML when it is not one. */
export function requestXml(text: string): XmlNode {
  try {
    return parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw MalformedXML();
    throw err;
  }
}
