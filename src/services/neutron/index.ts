/**
 * The Network project (Neutron v2.0 API): networks, subnets, ports with IPAM, routers and
 * floating IPs, security groups, RBAC, quotas, agents, on an ML2-style plugin with type and
 * mechanism drivers. Its role `network` is neutron-server: the API and the RPC servers agents
 * talk to; `network-sim-agent` is a simulated L2 agent on each host, `network-l2-agent`,
 * `network-dhcp-agent`, `network-l3-agent`, `network-metering-agent` and `network-metadata-agent`
 * the Linux bridge, DHCP, L3, metering and metadata agents of the real data plane (agent/);
 * `nubo netns cleanup` removes what they made. Mounted at /network in all-in-one; the catalog
 * URL has no version suffix.
 */
import type { Database } from '../../common/db/index.js';
import { loadServicePolicy } from '../../common/policy/index.js';
import type { ProjectDef, RoleContext, RoleInstance } from '../../common/service/project.js';
import { networkFault } from './api/fault.js';
import { NeutronPolicyNotAuthorized } from './api/policy.js';
import { dataPlaneChoice } from './agent/data-plane.js';
import { createDhcpAgent } from './agent/dhcp/dhcp-agent-role.js';
import { createL3Agent } from './agent/l3/l3-agent-role.js';
import { createMetadataAgent } from './agent/metadata/metadata-agent-role.js';
import { createMeteringAgent } from './agent/metering/metering-agent-role.js';
import { cleanupDataPlane, renderCleanup } from './agent/linux/cleanup.js';
import { createLinuxBridgeAgent } from './agent/linuxbridge/lb-agent-role.js';
import { createSimAgent } from './agent/sim-agent-role.js';
import { dataPlaneGroup, neutronConfigGroups } from './config.js';
import { runExplain } from './explain/cli.js';
import { OperatorError } from '../../common/errors.js';
import type { NeutronDB } from './db/schema.js';
import { migrations } from './db/migrations/index.js';
import { neutronPolicySpec } from './policies/index.js';
import { NetworkService } from './service.js';

/** neutron-server's role instance; tests reach the service through it. */
export interface NetworkServerInstance extends RoleInstance {
  service: NetworkService;
}

async function createServer(ctx: RoleContext): Promise<NetworkServerInstance> {
  ctx.log.info(dataPlaneChoice(ctx.config).reason);
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
    {
      name: 'network-sim-agent', description: 'a simulated L2 agent of one host: reports bound ports up, so they go ACTIVE', kind: 'worker', perHost: true,
      allInOne: (config) => !dataPlaneChoice(config).real, create: createSimAgent,
    },
    {
      name: 'network-l2-agent', description: 'the Linux bridge agent of one host: a bridge per network, taps, flat and VXLAN segments', kind: 'worker', perHost: true,
      allInOne: (config) => dataPlaneChoice(config).real, create: createLinuxBridgeAgent,
    },
    {
      name: 'network-dhcp-agent', description: 'the DHCP agent of one host: one dnsmasq per network in a qdhcp- namespace', kind: 'worker', perHost: true,
      allInOne: (config) => dataPlaneChoice(config).real, create: createDhcpAgent,
    },
    {
      name: 'network-l3-agent', description: 'the L3 agent of one host: a qrouter- namespace per router with its interfaces, gateway, routes, SNAT and floating IPs', kind: 'worker', perHost: true,
      allInOne: (config) => dataPlaneChoice(config).real, create: createL3Agent,
    },
    {
      name: 'network-metering-agent', description: "the metering agent of one host: counts the traffic of metering labels' rules on the gateways of the routers there (iptables) and sends l3.meter notifications", kind: 'worker', perHost: true,
      allInOne: (config) => dataPlaneChoice(config).real, create: createMeteringAgent,
    },
    {
      name: 'network-metadata-agent', description: "the metadata agent: signs guests' metadata requests from the namespace proxies and forwards them to Nova", kind: 'worker',
      allInOne: (config) => dataPlaneChoice(config).real, create: createMetadataAgent,
    },
  ],
  commands: [{
    name: 'explain', topLevel: true, takesArguments: true,
    description: 'explain FROM TO [--protocol tcp --port 22]: the hops of a packet\'s path (server, port, fixed or floating IP, or outside), the first broken one and its fix',
    run: (config, args = []) => runExplain(config, args),
  }, {
    name: 'netns', topLevel: true, takesArguments: true,
    description: 'netns cleanup: remove every namespace, bridge, tap/veth and dnsmasq of Nubo\'s data plane',
    run: async (config, args = []) => {
      if (args[0] !== 'cleanup' || args.length > 1) throw new OperatorError('usage: nubo netns cleanup');
      return renderCleanup(await cleanupDataPlane({ hostNamespaceTemplate: config.get(dataPlaneGroup).host_namespace }));
    },
  }],
};
