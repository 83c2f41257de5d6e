/**
 * The trunk service's RPC (neutron/services/trunk/rpc/server.py TrunkSkeleton, topic q-trunk,
 * namespace trunk): what an agent's trunk driver asks once it has plugged a trunk's parent port
 *  - update_subport_bindings: each subport bound to the parent's host (or, while the parent
 *    migrates, to the host its binding profile's `migrating_to` names) with device_owner
 *    trunk:subport, so that the host's L2 agent sees it and reports it up; the trunk is BUILD
 *    meanwhile, ERROR when a subport cannot be bound;
 *  - update_trunk_status: the status the agent reports once it has wired the trunk.
 */
import type { MessageContext } from '../../../common/messaging/index.js';
import { NeutronContext } from '../common/context.js';
import { VIF_TYPE_BINDING_FAILED } from '../ml2/driver-api.js';
import type { PortManager } from '../managers/ports.js';
import type { TrunkManager } from '../managers/trunks.js';
import { isJsonObject } from '../types/common.js';
import type { Port } from '../types/port.js';
import { TRUNK_STATUS, type TrunkStatus } from '../types/trunk.js';
import { stringArg } from './args.js';
import type { RpcArgs } from './payloads.js';

export const TOPIC_TRUNK = 'q-trunk';
export const TRUNK_NAMESPACE = 'trunk';
/** trunk_consts.TRUNK_SUBPORT_OWNER. */
export const TRUNK_SUBPORT_OWNER = 'trunk:subport';

/** A subport as the agent sends it (SubPort.to_dict()). */
export interface SubPortBinding {
  trunk_id: string;
  port_id: string;
  segmentation_type?: string;
  segmentation_id?: number;
}

const STATUSES = new Set<string>(Object.values(TRUNK_STATUS));

export class TrunkRpcCallbacks {
  readonly target = { version: '1.0', namespace: TRUNK_NAMESPACE };

  constructor(private readonly d: { ports: PortManager; trunks: TrunkManager }) {}

  /** The subports bound where their trunk's parent is: the updated ports by trunk id. */
  async update_subport_bindings(_ctx: MessageContext, args: RpcArgs): Promise<Record<string, Port[]>> {
    const ctx = NeutronContext.serving();
    const byTrunk = new Map<string, string[]>();
    for (const s of Array.isArray(args['subports']) ? args['subports'] : []) {
      if (!isJsonObject(s) || typeof s['trunk_id'] !== 'string' || typeof s['port_id'] !== 'string') continue;
      const ids = byTrunk.get(s['trunk_id']);
      if (ids) ids.push(s['port_id']);
      else byTrunk.set(s['trunk_id'], [s['port_id']]);
    }
    const updated: Record<string, Port[]> = Object.create(null) as Record<string, Port[]>;
    for (const [trunkId, portIds] of byTrunk) {
      const trunk = await this.d.trunks.get(ctx, trunkId).catch(() => undefined);
      if (!trunk) continue;
      const parent = await this.d.ports.get(ctx, trunk.port_id);
      const profile = parent['binding:profile'];
      const migratingTo = isJsonObject(profile) && typeof profile['migrating_to'] === 'string' ? profile['migrating_to'] : '';
      const host = migratingTo && migratingTo !== parent['binding:host_id'] ? migratingTo : parent['binding:host_id'];
      await this.d.trunks.setStatus(trunkId, TRUNK_STATUS.BUILD);
      const ports: Port[] = [];
      let failed = false;
      for (const portId of portIds) {
        const port = await this.d.ports.update(ctx, portId, { 'binding:host_id': host, device_owner: TRUNK_SUBPORT_OWNER }, {}).catch(() => undefined);
        if (!port || port['binding:vif_type'] === VIF_TYPE_BINDING_FAILED) failed = true;
        else ports.push(port);
      }
      if (failed) await this.d.trunks.setStatus(trunkId, TRUNK_STATUS.ERROR);
      updated[trunkId] = ports;
    }
    return updated;
  }

  async update_trunk_status(_ctx: MessageContext, args: RpcArgs): Promise<void> {
    const status = stringArg(args, 'status');
    if (!STATUSES.has(status)) return;
    await this.d.trunks.setStatus(stringArg(args, 'trunk_id'), status as TrunkStatus);
  }
}
