/** GET / — ListBuckets (s3api's ServiceController): the account's containers that are bucket names (segments containers left out). */
import { fromStatus } from '../errors.js';
import { s3Time } from '../headers.js';
import { validBucketName } from '../request.js';
import { el } from '../xml.js';
import { owner, xmlResponse, type S3Call, type S3Response } from './base.js';

interface ContainerEntry {
  name: string;
  last_modified?: string;
}

export async function listBuckets(call: S3Call): Promise<S3Response> {
  const buckets: ContainerEntry[] = [];
  let marker = '';
  for (;;) {
    const page = await call.swift.listing<ContainerEntry>(undefined, { marker });
    if (page.status !== 200) throw fromStatus(page.status, {}, page.answer.error);
    buckets.push(...page.entries.filter((c) => validBucketName(c.name)));
    if (page.entries.length === 0) break;
    marker = page.entries[page.entries.length - 1]!.name;
  }
  return xmlResponse(el('ListAllMyBucketsResult', [
    el('Owner', owner(call)),
    el('Buckets', buckets.map((b) => el('Bucket', [el('Name', b.name), el('CreationDate', b.last_modified ? s3Time(b.last_modified) : new Date(0).toISOString())]))),
  ]));
}
