/**
 * The replicators' verbs on the storage servers' ports. Upstream sends REPLICATE (and SSYNC)
 * as HTTP methods; Node's HTTP parser accepts only the standard methods, so here they travel
 * as POSTs that name the verb in X-Backend-Replication-Verb (and, for the database
 * replicator's RPC, the operation in X-Backend-Replication-Op).
 */
import type { IncomingMessage } from 'node:http';

export const VERB_HEADER = 'x-backend-replication-verb';
export const OP_HEADER = 'x-backend-replication-op';

export function replicationVerb(req: IncomingMessage): string | undefined {
  const v = req.headers[VERB_HEADER];
  return Array.isArray(v) ? v[0] : v;
}
