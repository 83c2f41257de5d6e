/**
 * The forwarding entries l2population sends to agents (neutron/plugins/ml2/drivers/l2pop/rpc.py):
 *   { <network id>: { segment_id, network_type, ports: { <agent tunneling ip>: [[mac, ip], ...] } } }
 * where [FLOODING_ENTRY] marks the agent as a flooding destination of the network (it has a
 * port there) and every other pair is one fixed IP of an active port behind that agent.
 */
export type PortInfo = [mac: string, ip: string];

/** l2pop constants.FLOODING_ENTRY. */
export const FLOODING_ENTRY: PortInfo = ['00:00:00:00:00:00', '0.0.0.0'];

export interface NetworkFdb {
  segment_id: number;
  network_type: string;
  ports: Record<string, PortInfo[]>;
}

export type FdbEntries = Record<string, NetworkFdb>;

export const isFloodingEntry = (p: readonly [string, string]): boolean => p[0] === FLOODING_ENTRY[0] && p[1] === FLOODING_ENTRY[1];
