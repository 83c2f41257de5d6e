/**
 * trunk_details of parent ports (trunk-details; TrunkPlugin._extend_port_trunk_details): the
 * trunk's id and its subports with their segmentation and MAC address.
 */
import type { SubPortRow } from '../db/schema.js';
import { chunks, type Db, groupBy } from '../db/store.js';
import type { SubPort, TrunkDetails } from '../types/trunk.js';

export function subPortView(r: Pick<SubPortRow, 'port_id' | 'segmentation_type' | 'segmentation_id'>): SubPort {
  return { segmentation_id: Number(r.segmentation_id), segmentation_type: r.segmentation_type, port_id: r.port_id };
}

/** The subports of trunks, each trunk's in the order they were added. */
export async function subPortsOf(db: Db, trunkIds: string[]): Promise<Map<string, SubPortRow[]>> {
  if (trunkIds.length === 0) return new Map();
  const rows: SubPortRow[] = [];
  for (const chunk of chunks(trunkIds, 500)) rows.push(...await db.selectFrom('subports').selectAll().where('trunk_id', 'in', chunk).orderBy('position').execute());
  return groupBy(rows, (r) => r.trunk_id);
}

/** trunk_details by parent port id, for those of `portIds` that are trunk parents. */
export async function trunkDetailsOf(db: Db, portIds: string[]): Promise<Map<string, TrunkDetails>> {
  const out = new Map<string, TrunkDetails>();
  if (portIds.length === 0) return out;
  const trunks: Array<{ id: string; port_id: string }> = [];
  for (const chunk of chunks(portIds, 500)) trunks.push(...await db.selectFrom('trunks').select(['id', 'port_id']).where('port_id', 'in', chunk).execute());
  if (trunks.length === 0) return out;
  const subports = await subPortsOf(db, trunks.map((t) => t.id));
  const subportIds = [...subports.values()].flat().map((s) => s.port_id);
  const macs = new Map<string, string>();
  for (const chunk of chunks(subportIds, 500)) {
    for (const p of await db.selectFrom('ports').select(['id', 'mac_address']).where('id', 'in', chunk).execute()) macs.set(p.id, p.mac_address);
  }
  for (const t of trunks) {
    out.set(t.port_id, {
      trunk_id: t.id,
      sub_ports: (subports.get(t.id) ?? []).map((s) => ({ ...subPortView(s), mac_address: macs.get(s.port_id) ?? '' })),
    });
  }
  return out;
}
