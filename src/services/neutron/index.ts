/**
 * The Network service (Neutron v2.0 API): networks, subnets, ports with IPAM, routers and
 * floating IPs, security groups, RBAC, quotas, agents, on an ML2-style plugin with type and
 * mechanism drivers. Mounted at /network in all-in-one; the catalog URL has no version suffix.
 */
import type { ServiceContext, ServiceInstance, ServicePlugin } from '../../common/service/plugin.js';
import { neutronConfigGroups } from './config.js';
import { migrations } from './db/migrations/index.js';
import { NetworkService, networkFault } from './service.js';

export interface NetworkInstance extends ServiceInstance {
  service: NetworkService;
}

export const networkPlugin: ServicePlugin<NetworkInstance> = {
  name: 'network',
  project: 'neutron',
  serviceType: 'network',
  description: 'Neutron Networking Service',
  prefix: '/network',
  catalogPath: '',
  configGroups: neutronConfigGroups,
  migrations,
  async create(ctx: ServiceContext): Promise<NetworkInstance> {
    const service = new NetworkService({
      config: ctx.config,
      log: ctx.log,
      database: ctx.db,
      transport: ctx.transport,
      session: ctx.session,
      baseUrl: ctx.baseUrl,
      host: ctx.host,
    });
    return {
      service,
      routes: service.routes(),
      fault: networkFault,
      start: () => service.start(),
      stop: () => service.stop(),
    };
  },
};
