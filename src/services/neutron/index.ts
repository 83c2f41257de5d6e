/**
 * The Network project (Neutron v2.0 API): networks, subnets, ports with IPAM, routers and
 * floating IPs, security groups, RBAC, quotas, agents, on an ML2-style plugin with type and
 * mechanism drivers. Its role `network` is neutron-server: the API and the RPC servers agents
 * talk to; `network-sim-agent` is a simulated L2 agent on each host. Mounted at /network in
 * all-in-one; the catalog URL has no version suffix.
 */
import type { Database } from '../../common/db/index.js';
import { loadServicePolicy } from '../../common/policy/index.js';
import type { ProjectDef, RoleContext, RoleInstance } from '../../common/service/project.js';
import { networkFault } from './api/fault.js';
import { NeutronPolicyNotAuthorized } from './api/policy.js';
import { createSimAgent } from './agent/sim-agent-role.js';
import { neutronConfigGroups } from './config.js';
import type { NeutronDB } from './db/schema.js';
import { migrations } from './db/migrations/index.js';
import { neutronPolicySpec } from './policies/index.js';
import { NetworkService } from './service.js';

/** neutron-server's role instance; tests reach the service through it. */
export interface NetworkServerInstance extends RoleInstance {
  service: NetworkService;
}

async function createServer(ctx: RoleContext): Promise<NetworkServerInstance> {
  const policy = loadServicePolicy(neutronPolicySpec, { config: ctx.config, dataDir: ctx.dataDir, project: 'neutron', periodic: ctx.periodic }, {
    denied: (rule) => new NeutronPolicyNotAuthorized(rule), onWarning: (m) => ctx.log.warn(m),
  });
  const service = new NetworkService({
    config: ctx.config,
    log: ctx.log,
    database: (await ctx.database()) as Database<NeutronDB>,
    transport: ctx.transport,
    session: ctx.session,
    policy,
    baseUrl: ctx.baseUrl,
    host: ctx.host,
  });
  return {
    service,
    routes: service.routes(),
    start: () => service.start(),
    stop: () => service.stop(),
  };
}

export const neutron: ProjectDef = {
  name: 'neutron',
  service: 'network',
  description: 'Neutron Networking Service',
  prefix: '/network',
  catalog: [{ type: 'network', path: '' }],
  configGroups: neutronConfigGroups,
  migrations,
  policy: neutronPolicySpec,
  fault: networkFault,
  roles: [
    { name: 'network', description: 'neutron-server: the Networking API and the RPC servers of the agents', kind: 'api', create: createServer },
    { name: 'network-sim-agent', description: 'a simulated L2 agent of one host: reports bound ports up, so they go ACTIVE', kind: 'worker', perHost: true, create: createSimAgent },
  ],
};
