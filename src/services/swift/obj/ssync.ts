/**
 * How replicas of a partition talk to each other (swift/obj/ssync_sender.py and
 * ssync_receiver.py, swift/obj/replicator.py's REPLICATE). Upstream pushes suffix directories
 * with rsync, or with SSYNC, one long request carrying a missing-check then the object
 * subrequests. Nubo has no rsync between nodes: the replicator speaks SSYNC's two steps over
 * its own backend HTTP, as plain requests to the object server's port:
 *
 * - REPLICATE (`POST /<dev>/<part>[/<suf>-<suf>...]`, X-Backend-Replication-Verb: REPLICATE):
 *   the remote's suffix hashes as JSON, the listed suffixes rehashed first;
 * - SSYNC missing-check (`POST /<dev>/<part>`, verb SSYNC): the sender offers, for each hash
 *   directory of the suffixes it syncs, the timestamps of its newest .data/.ts and .meta; the
 *   receiver answers which of them it wants;
 * - the updates: one PUT (.data, the body streamed and md5-checked), DELETE (.ts) or POST
 *   (.meta) of /<dev>/<part>/<a>/<c>/<o> per wanted file, with X-Backend-Replication: True and
 *   the file's metadata, unchanged, in X-Backend-Replication-Metadata (base64 JSON); these
 *   keep the original timestamps and send no container updates.
 *
 * (Node's HTTP parser knows only the standard methods, so REPLICATE and SSYNC travel as POSTs
 * naming their verb in a header: utils/replication-verb.ts.)
 */
import type { IncomingMessage } from 'node:http';
import { VERB_HEADER } from '../utils/replication-verb.js';

export { VERB_HEADER };
export const REPLICATION_HEADER = 'x-backend-replication';
export const METADATA_HEADER = 'x-backend-replication-metadata';

export type ReplicationVerb = 'REPLICATE' | 'SSYNC';

/** What a sender has of one object: its newest .data or .ts, and a newer .meta. */
export interface Offer {
  hash: string;
  /** Timestamp of the .data or .ts. */
  ts: string;
  kind: 'data' | 'ts';
  meta?: string;
}

/** The receiver's answer: per hash, 'd' (the .data or .ts), 'm' (the .meta) or 'dm'. */
export type Wants = Record<string, string>;

export function isReplicationRequest(req: IncomingMessage): boolean {
  return req.headers[VERB_HEADER] !== undefined || req.headers[REPLICATION_HEADER] !== undefined;
}

export const encodeMetadata = (m: Record<string, string>): string => Buffer.from(JSON.stringify(m), 'utf8').toString('base64');

export function decodeMetadata(raw: string): Record<string, string> | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    if (!Object.values(parsed).every((v) => typeof v === 'string')) return undefined;
    return parsed as Record<string, string>;
  } catch {
    return undefined;
  }
}

/** '/<account>/<container>/<object>' (an object's 'name' metadata) split; undefined when malformed. */
export function splitObjectName(name: string): { account: string; container: string; object: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+)\/(.+)$/s.exec(name);
  return m ? { account: m[1]!, container: m[2]!, object: m[3]! } : undefined;
}
