/**
 * Auto-allocated topology (neutron/services/auto_allocate/db.py): GET
 * /v2.0/auto-allocated-topology/{project_id} gives the project a network of its own, a subnet
 * per default subnet pool (IPv4, IPv6) and a router with its gateway on the default external
 * network (`is_default`) and an interface on each subnet, made once and kept in
 * auto_allocated_topologies; later GETs answer the same network. DELETE takes the topology
 * down. `fields=dry-run` only checks that a topology could be made.
 */
import { BadRequest, NotFound } from '../../../common/errors.js';
import { NeutronContext } from '../common/context.js';
import type { Store } from '../db/store.js';
import { AutoAllocationFailure, NeutronBadRequest, NotAuthorized } from '../errors.js';
import type { Subnet } from '../types/subnet.js';
import type { NetworkManager } from './networks.js';
import type { RouterManager } from './routers.js';
import type { SubnetManager } from './subnets.js';

export const DRY_RUN = 'dry-run';

export interface AutoAllocateDeps {
  store: Store;
  networks: NetworkManager;
  subnets: SubnetManager;
  routers: RouterManager;
}

/** The answer of GET /v2.0/auto-allocated-topology/{project_id}. */
export interface AutoAllocatedTopology {
  id: string;
  tenant_id: string;
}

interface DefaultPool {
  id: string;
  ip_version: number;
}

/** Runs a clean-up step; a resource already gone (NotFound) is fine, as ignore_notfound. */
async function ignoreNotFound(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
  }
}

export class AutoAllocateManager {
  constructor(private readonly d: AutoAllocateDeps) {}

  /**
   * The project the topology is for (_validate): "None" (a client that names none) means the
   * caller's; only admins may name another project.
   */
  projectOf(ctx: NeutronContext, requested: string): string {
    const projectId = requested === 'None' || requested === '' ? ctx.projectId ?? '' : requested;
    if (!ctx.isAdmin && projectId !== ctx.projectId) throw new NotAuthorized();
    return projectId;
  }

  async get(ctx: NeutronContext, projectId: string, fields: readonly string[] = []): Promise<AutoAllocatedTopology> {
    if (fields.includes(DRY_RUN)) {
      await this.defaultExternalNetwork();
      if ((await this.defaultPools()).length === 0) throw new AutoAllocationFailure('No default subnetpools defined');
      return { id: 'dry-run=pass', tenant_id: projectId };
    }
    if (fields.length) throw new NeutronBadRequest('auto_allocate', 'Unrecognized field');
    const existing = await this.record(projectId);
    if (existing) return { id: existing.network_id, tenant_id: projectId };
    const external = await this.defaultExternalNetwork();
    return { id: await this.build(ctx, projectId, external), tenant_id: projectId };
  }

  async delete(projectId: string): Promise<void> {
    const topology = await this.record(projectId);
    if (!topology) return;
    const subnets = await this.d.store.db.selectFrom('subnets').select('id').where('network_id', '=', topology.network_id).execute();
    await this.cleanup(topology.network_id, topology.router_id, subnets.map((s) => s.id));
  }

  private record(projectId: string) {
    return this.d.store.db.selectFrom('auto_allocated_topologies').selectAll().where('project_id', '=', projectId).executeTakeFirst();
  }

  private async defaultExternalNetwork(): Promise<string> {
    const id = await this.d.networks.defaultExternalNetworkId();
    if (!id) throw new AutoAllocationFailure('No default router:external network');
    return id;
  }

  private async defaultPools(): Promise<DefaultPool[]> {
    const rows = await this.d.store.db.selectFrom('subnetpools').select(['id', 'ip_version']).where('is_default', '=', 1).orderBy('ip_version').execute();
    const out: DefaultPool[] = [];
    for (const version of [4, 6]) {
      const row = rows.find((r) => Number(r.ip_version) === version);
      if (row) out.push({ id: row.id, ip_version: version });
    }
    return out;
  }

  /** _build_topology: network and subnets, then the router; all of it undone on failure. */
  private async build(ctx: NeutronContext, projectId: string, externalNetworkId: string): Promise<string> {
    const pools = await this.defaultPools();
    if (pools.length === 0) throw new AutoAllocationFailure('Unable to provide tenant private network');
    const network = await this.d.networks.create(ctx, { name: 'auto_allocated_network', admin_state_up: false, project_id: projectId, shared: false });
    const subnets: Subnet[] = [];
    try {
      for (const pool of pools) {
        subnets.push(await this.d.subnets.create(ctx, {
          name: `auto_allocated_subnet_v${pool.ip_version}`, network_id: network.id, project_id: projectId, ip_version: pool.ip_version, subnetpool_id: pool.id,
        }));
      }
    } catch (err) {
      await this.cleanup(network.id, null, []);
      if (err instanceof BadRequest || err instanceof NotFound) throw new AutoAllocationFailure('Unable to provide tenant private network');
      throw err;
    }
    let routerId: string | null = null;
    const attached: string[] = [];
    try {
      const router = await this.d.routers.create(ctx, {
        name: 'auto_allocated_router', project_id: projectId, admin_state_up: true, external_gateway_info: { network_id: externalNetworkId },
      });
      routerId = router.id;
      for (const s of subnets) {
        await this.d.routers.addInterface(ctx, router.id, { subnet_id: s.id });
        attached.push(s.id);
      }
    } catch (err) {
      await this.cleanup(network.id, routerId, attached);
      if (err instanceof BadRequest) throw new AutoAllocationFailure('Unable to provide external connectivity');
      throw err;
    }
    return this.save(ctx, projectId, network.id, routerId, attached);
  }

  /** _save: the record, then the network up; a concurrent request that saved first wins. */
  private async save(ctx: NeutronContext, projectId: string, networkId: string, routerId: string, subnetIds: string[]): Promise<string> {
    try {
      await this.d.store.write((tx) => tx.insertInto('auto_allocated_topologies').values({ project_id: projectId, network_id: networkId, router_id: routerId }).execute());
    } catch (err) {
      const winner = await this.record(projectId);
      await this.cleanup(networkId, routerId, subnetIds);
      if (winner) return winner.network_id;
      throw err;
    }
    await this.d.networks.update(ctx.elevated(), networkId, { admin_state_up: true }, {});
    return networkId;
  }

  /** _cleanup: the router's interfaces, the router, then the network (with its subnets). */
  private async cleanup(networkId: string, routerId: string | null, subnetIds: readonly string[]): Promise<void> {
    const admin = NeutronContext.admin();
    if (routerId) {
      for (const id of subnetIds) await ignoreNotFound(() => this.d.routers.removeInterface(admin, routerId, { subnet_id: id }));
      await ignoreNotFound(() => this.d.routers.delete(admin, routerId, {}));
    }
    for (const id of subnetIds) await ignoreNotFound(() => this.d.subnets.delete(admin, id, {}));
    await ignoreNotFound(() => this.d.networks.delete(admin, networkId, {}));
  }
}
