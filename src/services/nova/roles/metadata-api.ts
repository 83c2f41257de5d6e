/**
 * The metadata-api role (nova-metadata-api): the metadata service guests read, at
 * /compute-metadata, over Nova's database, Neutron (instances by fixed IP) and the options of
 * [api] and [neutron].
 */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { apiGroup, neutronMetadataGroup } from '../config.js';
import { S3ImageRepo, ec2Id } from '../db/s3-images.js';
import { SystemMetadataRepo } from '../db/system-metadata.js';
import { InstanceMetadata } from '../metadata/base.js';
import { metadataHandlerRoutes } from '../metadata/handler.js';
import { DynamicVendordata, loadStaticVendordata } from '../metadata/vendordata.js';
import { metadataRoutes } from '../metadata/versions.js';
import { NovaNetworkClient } from '../network/client.js';
import type { Instance } from '../objects/index.js';
import { repositories } from './shared.js';

export async function createMetadataApi(ctx: RoleContext): Promise<RoleInstance> {
  const repos = await repositories(ctx);
  const api = ctx.config.get(apiGroup);
  const neutron = ctx.config.get(neutronMetadataGroup);
  const s3 = new S3ImageRepo(repos.db);
  const systemMetadata = new SystemMetadataRepo(repos.db);
  const network = new NovaNetworkClient(ctx.session);
  const staticVendordata = loadStaticVendordata(api.vendordata_jsonfile_path, ctx.log);
  const dynamic = new DynamicVendordata({
    providers: api.vendordata_providers, jsonfilePath: api.vendordata_jsonfile_path, dynamicTargets: api.vendordata_dynamic_targets,
    connectTimeout: api.vendordata_dynamic_connect_timeout, readTimeout: api.vendordata_dynamic_read_timeout, failureFatal: api.vendordata_dynamic_failure_fatal,
  }, () => ctx.session.getToken(), ctx.log);

  async function metadataOf(instance: Instance, address: string | undefined): Promise<InstanceMetadata> {
    const i = instance.data;
    const keypair = i.key_name ? await repos.keypairs.get(i.user_id, i.key_name).catch(() => undefined) : undefined;
    return new InstanceMetadata({
      instance, address, amiId: i.image_ref ? ec2Id('ami', await s3.idOf(i.image_ref)) : '',
      // nova keeps the key pair with the instance; a key pair deleted since still shows as booted
      keypair: i.key_name ? { name: i.key_name, type: keypair?.type ?? 'ssh', public_key: keypair?.public_key ?? i.key_data ?? '' } : undefined,
      bdms: await repos.bdms.byInstance(i.uuid), dhcpDomain: api.dhcp_domain, vendordataProviders: api.vendordata_providers,
      staticVendordata, dynamicVendordata: (inst) => dynamic.get(inst),
    });
  }

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
