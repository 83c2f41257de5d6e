/**
 * Target: where a message goes or what a server listens on (oslo_messaging/target.py).
 *  - exchange: the topic exchange; defaults to the transport's control exchange ("openstack");
 *  - topic: the queue name servers of one kind share ("compute", "scheduler", ...);
 *  - server: one particular server of the topic (its own queue `<topic>.<server>`);
 *  - fanout: send to every server of the topic (exchange `<topic>_fanout`);
 *  - version / namespace: the RPC API version and namespace of the method (checked by the server).
 */
export interface Target {
  exchange?: string;
  topic: string;
  server?: string;
  fanout?: boolean;
  version?: string;
  namespace?: string;
}

/** What an RPC server listens on. */
export interface ServerTarget {
  topic: string;
  server: string;
  exchange?: string;
}

/** A short human description for log lines and errors: `topic compute, server host1`. */
export function describeTarget(target: Target): string {
  const parts = [`topic ${target.topic}`];
  if (target.server) parts.push(`server ${target.server}`);
  if (target.fanout) parts.push('fanout');
  if (target.exchange) parts.push(`exchange ${target.exchange}`);
  return parts.join(', ');
}
