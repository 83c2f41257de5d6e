/**
 * The RPC servers of the Neutron server: q-reports-plugin (agents' state reports), q-plugin
 * (ML2, DHCP, security group and metadata callbacks), q-l3-plugin (L3 callbacks),
 * q-metering-plugin (the metering agents' sync) and q-trunk (trunk drivers' subport bindings), each consuming its topic for this
 * host, started with the service and stopped with it.
 */
import { RpcServer, type Transport } from '../../../common/messaging/index.js';
import { ResourcesPullRpcCallback } from './resources.js';
import { MeteringRpcCallbacks } from './metering.js';
import { SecurityGroupServerRpcCallback } from './securitygroups.js';
import { AgentStateCallback, type CallbackDeps, DhcpRpcCallbacks, L3RpcCallbacks, MetadataRpcCallbacks, Ml2RpcCallbacks } from './server-callbacks.js';
import { TOPIC_L3PLUGIN, TOPIC_METERING_PLUGIN, TOPIC_PLUGIN, TOPIC_REPORTS } from './topics.js';
import { TOPIC_TRUNK, TrunkRpcCallbacks } from './trunks.js';

export class RpcServers {
  private readonly servers: RpcServer[] = [];

  constructor(private readonly transport: Transport, private readonly host: string, private readonly deps: CallbackDeps) {}

  async start(): Promise<void> {
    const { transport, host, deps } = this;
    const opts = { trace: { service: 'neutron', host } };
    this.servers.push(
      new RpcServer(transport, { topic: TOPIC_REPORTS, server: host }, [new AgentStateCallback(deps.agents)], opts),
      new RpcServer(transport, { topic: TOPIC_PLUGIN, server: host }, [new Ml2RpcCallbacks(deps), new DhcpRpcCallbacks(deps), new SecurityGroupServerRpcCallback(deps), new MetadataRpcCallbacks(deps),
        new ResourcesPullRpcCallback(deps.qosPolicies)], opts),
      new RpcServer(transport, { topic: TOPIC_L3PLUGIN, server: host }, [new L3RpcCallbacks(deps)], opts),
      new RpcServer(transport, { topic: TOPIC_METERING_PLUGIN, server: host }, [new MeteringRpcCallbacks(deps)], opts),
      new RpcServer(transport, { topic: TOPIC_TRUNK, server: host }, [new TrunkRpcCallbacks(deps)], opts),
    );
    for (const s of this.servers) await s.start();
  }

  async stop(): Promise<void> {
    for (const s of this.servers) await s.stop();
    this.servers.length = 0;
  }
}
