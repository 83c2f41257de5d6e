/**
 * The metadata-api role (nova-metadata-api): the metadata service guests read, at
 * /compute-metadata, over Nova's database, Neutron (instances by fixed IP) and the options of
 * [api] and [neutron].
 */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { apiGroup, neutronMetadataGroup } from '../config.js';
import { SystemMetadataRepo } from '../db/system-metadata.js';
import { metadataHandlerRoutes } from '../metadata/handler.js';
import { metadataRoutes } from '../metadata/versions.js';
import { NovaNetworkClient } from '../network/client.js';
import { instanceMetadataSource } from './instance-metadata.js';
import { repositories } from './shared.js';

export async function createMetadataApi(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const api = ctx.config.get(apiGroup);
  const neutron = ctx.config.get(neutronMetadataGroup);
  const systemMetadata = new SystemMetadataRepo(repos.db);
  const network = new NovaNetworkClient(ctx.session);
  const metadataOf = instanceMetadataSource(ctx, repos);

  const handler = metadataHandlerRoutes({
    log: ctx.log, serviceMetadataProxy: neutron.service_metadata_proxy, sharedSecret: neutron.metadata_proxy_shared_secret,
    useForwardedFor: api.use_forwarded_for,
    instanceById: (uuid) => repos.instances.find(uuid),
    async instanceIdByAddress(address) {
      // get_fixed_ip_by_address: exactly one compute port holds the address
      const ports = await network.listPorts({ fixed_ips: `ip_address=${address}` });
      const owners = [...new Set(ports.filter((p) => p.device_owner.startsWith('compute:')).map((p) => p.device_id))];
      if (owners.length > 1) ctx.log.warn({ address, instances: owners }, 'the fixed IP is associated with several instances');
      return owners.length === 1 ? owners[0] : undefined;
    },
    metadataOf,
    savePassword: (uuid, entries) => systemMetadata.update(uuid, entries),
  });
  return {
    routes: async (app) => {
      await app.register(metadataRoutes);
      await app.register(handler);
    },
  };
}
