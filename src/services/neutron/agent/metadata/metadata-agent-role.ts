/**
 * The `network-metadata-agent` role (neutron-metadata-agent): the unix-socket server the
 * namespace metadata proxies of the L3 (and DHCP) agents forward to, from `[DEFAULT]
 * metadata_proxy_socket` and `metadata_proxy_shared_secret`, `[metadata_agent]
 * nova_metadata_url` (default: this cloud's metadata-api role) and `[agent] report_interval`.
 */
import { resolve } from 'node:path';
import type { RoleContext, RoleInstance } from '../../../../common/service/project.js';
import { agentGroup, metadataAgentGroup, neutronDefaultGroup } from '../../config.js';
import { MetadataAgent } from './metadata-agent.js';

export interface MetadataAgentRoleInstance extends RoleInstance {
  agent: MetadataAgent;
}

/** The metadata agent's socket: `[DEFAULT] metadata_proxy_socket` or <data_dir>/metadata_proxy. */
export function metadataSocketPath(ctx: Pick<RoleContext, 'config' | 'dataDir'>): string {
  const configured = ctx.config.get(neutronDefaultGroup).metadata_proxy_socket;
  return configured ? resolve(configured) : resolve(ctx.dataDir, 'metadata_proxy');
}

/** Nova's metadata API: the configured URL, or /compute-metadata on this cloud's API listener. */
export function novaMetadataUrl(ctx: Pick<RoleContext, 'config' | 'baseUrl'>): string {
  const configured = ctx.config.get(metadataAgentGroup).nova_metadata_url;
  return configured || `${new URL(ctx.baseUrl).origin}/compute-metadata`;
}

export async function createMetadataAgent(ctx: RoleContext): Promise<MetadataAgentRoleInstance> {
  const agent = new MetadataAgent({
    transport: ctx.transport, host: ctx.host, log: ctx.log, periodic: ctx.periodic, reportInterval: ctx.config.get(agentGroup).report_interval,
    socketPath: metadataSocketPath(ctx), novaMetadataUrl: novaMetadataUrl(ctx), sharedSecret: ctx.config.get(neutronDefaultGroup).metadata_proxy_shared_secret,
  });
  return { agent, start: () => agent.start(), stop: () => agent.stop() };
}
