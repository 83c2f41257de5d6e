/**
 * The trunk rules (neutron/services/trunk/rules.py): which ports may be a trunk's parent or
 * subports (TrunkPortValidator), and the checks of a subport list whose shape the API layer
 * checked (SubPortsValidator): segmentation inherited from the subport's network, MTU against
 * the parent's network,
 * segmentation type and range, ports not in use. Checks run in upstream's order so a request
 * with several faults gets upstream's answer.
 */
import type { NeutronContext } from '../common/context.js';
import type { PortRow } from '../db/schema.js';
import type { Db } from '../db/store.js';
import { InvalidInput, ParentPortInUse, PortInUse, PortNotFound, SubPortMtuGreaterThanTrunkPortMtu, TrunkPortInUse } from '../errors.js';
import { TypeManager } from '../ml2/type-manager.js';
import { SEGMENTATION_TYPE_INHERIT, SEGMENTATION_TYPE_VLAN, type SubPort, type SubPortRequest } from '../types/trunk.js';

/** Looks up a port as `ctx` may see it (PortNotFound otherwise). */
export type PortLookup = (ctx: NeutronContext, id: string, db: Db) => Promise<PortRow | undefined>;

/**
 * The segmentation types the trunk drivers support, with their id validators
 * (seg_types/validators.py): VLAN, as Zed's Linux bridge and Open vSwitch drivers declare.
 */
const SEGMENTATION_TYPES: ReadonlyMap<string, (id: number) => boolean> = new Map([
  [SEGMENTATION_TYPE_VLAN, (id: number) => id >= 1 && id <= 4094],
]);

/**
 * can_be_trunked_or_untrunked: an unbound port always can. A bound port can when the trunk
 * driver in charge of its host allows it; no trunk driver is registered here (the L2 agents do
 * not plumb trunks), so, as upstream when no driver is compatible with the binding, it cannot.
 */
export function canBeTrunkedOrUntrunked(port: Pick<PortRow, 'binding_host_id'>): boolean {
  return !port.binding_host_id;
}

/** The port's trunk as subport or as parent: TrunkPortInUse / ParentPortInUse. */
async function checkNotTrunked(db: Db, portId: string): Promise<void> {
  if (await db.selectFrom('subports').select('port_id').where('port_id', '=', portId).executeTakeFirst()) throw new TrunkPortInUse(portId);
  if (await db.selectFrom('trunks').select('id').where('port_id', '=', portId).executeTakeFirst()) throw new ParentPortInUse(portId);
}

/** TrunkPortValidator.validate(parent_port=True): the parent port, or PortNotFound / 409s. */
export async function validateParentPort(ctx: NeutronContext, db: Db, portId: string, lookup: PortLookup): Promise<PortRow> {
  await checkNotTrunked(db, portId);
  const port = await lookup(ctx, portId, db);
  if (!port) throw new PortNotFound(portId);
  if (!canBeTrunkedOrUntrunked(port)) throw new ParentPortInUse(portId);
  return port;
}

/** '%s' of a value in upstream's messages (Python's str of a dict, an int, None). */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value).replace(/"/g, "'");
}

/** Python's int() as convert_to_int uses it; undefined when it would raise. */
function toInt(value: unknown): number | undefined {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

/** Subports of a request (their shape checked by the API layer), each made a SubPort ready to store. */
export class SubPortsValidator {
  constructor(private readonly lookup: PortLookup) {}

  async validate(ctx: NeutronContext, db: Db, requests: SubPortRequest[], parentPortId: string): Promise<SubPort[]> {
    const trunkMtu = await this.portMtu(ctx, db, parentPortId);
    const { subports, mtus } = await this.prepare(ctx, db, requests);
    const out: SubPort[] = [];
    for (const sp of subports) out.push(await this.validateOne(ctx, db, sp, parentPortId, trunkMtu, mtus));
    return out;
  }

  /** The MTU of the port's network, when the caller can see the port. */
  private async portMtu(ctx: NeutronContext, db: Db, portId: string): Promise<number | undefined> {
    const port = await this.lookup(ctx, portId, db);
    if (!port) return undefined;
    const net = await db.selectFrom('networks').select('mtu').where('id', '=', port.network_id).executeTakeFirst();
    return net ? Number(net.mtu) : undefined;
  }

  /**
   * _prepare_subports: subports asking to inherit take their network's segmentation type and
   * id (provider attributes), and each visible subport's network MTU is noted.
   */
  private async prepare(ctx: NeutronContext, db: Db, requests: SubPortRequest[]): Promise<{ subports: SubPortRequest[]; mtus: Map<string, number> }> {
    const subports = requests.map((r) => ({ ...r }));
    const mtus = new Map<string, number>();
    for (const [i, sp] of subports.entries()) {
      const port = await this.lookup(ctx, sp.port_id, db);
      if (!port) continue;
      const net = await db.selectFrom('networks').select(['id', 'mtu']).where('id', '=', port.network_id).executeTakeFirst();
      if (!net) continue;
      if (sp.segmentation_type === SEGMENTATION_TYPE_INHERIT) {
        const segments = await db.selectFrom('networksegments').selectAll().where('network_id', '=', net.id).orderBy('segment_index').execute();
        const provider = TypeManager.providerView(segments.map((s) => ({
          id: s.id, network_type: s.network_type, physical_network: s.physical_network, segmentation_id: s.segmentation_id === null ? null : Number(s.segmentation_id),
        })));
        subports[i] = 'segments' in provider
          ? { port_id: sp.port_id }
          : { port_id: sp.port_id, segmentation_id: provider['provider:segmentation_id'], segmentation_type: provider['provider:network_type'] };
      }
      mtus.set(sp.port_id, Number(net.mtu));
    }
    return { subports, mtus };
  }

  private async validateOne(ctx: NeutronContext, db: Db, sp: SubPortRequest, parentPortId: string, trunkMtu: number | undefined, mtus: Map<string, number>): Promise<SubPort> {
    if (sp.port_id === parentPortId) throw new ParentPortInUse(sp.port_id);
    const mtu = mtus.get(sp.port_id);
    if (trunkMtu && mtu && mtu > trunkMtu) throw new SubPortMtuGreaterThanTrunkPortMtu(sp.port_id, mtu, parentPortId, trunkMtu);
    if (!('segmentation_type' in sp) || !('segmentation_id' in sp)) {
      throw new InvalidInput(`Invalid subport details '${show(sp)}': missing segmentation information. Must specify both segmentation_id and segmentation_type`);
    }
    const segmentationId = toInt(sp.segmentation_id);
    if (segmentationId === undefined) throw new InvalidInput(`Invalid subport details: segmentation_id '${show(sp.segmentation_id)}' is not an integer`);
    const type = sp.segmentation_type;
    const inRange = typeof type === 'string' ? SEGMENTATION_TYPES.get(type) : undefined;
    if (!inRange) throw new InvalidInput(`Unknown segmentation_type '${show(type)}'`);
    if (!inRange(segmentationId)) throw new InvalidInput(`Segmentation ID '${segmentationId}' is not in range`);
    await this.checkUsable(ctx, db, sp.port_id);
    return { port_id: sp.port_id, segmentation_type: type as string, segmentation_id: segmentationId };
  }

  /** TrunkPortValidator.validate(parent_port=False): not trunked, visible, not used by a device. */
  private async checkUsable(ctx: NeutronContext, db: Db, portId: string): Promise<void> {
    await checkNotTrunked(db, portId);
    const port = await this.lookup(ctx, portId, db);
    if (!port) throw new PortNotFound(portId);
    if (port.device_id) throw new PortInUse(port.id, port.network_id, port.device_id);
  }
}
