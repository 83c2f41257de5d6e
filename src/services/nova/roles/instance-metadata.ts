/**
 * An instance's metadata (InstanceMetadata) from Nova's database and the [api] options: what
 * the metadata API serves and what a config drive holds.
 */
import type { RoleContext } from '../../../common/service/project.js';
import { apiGroup } from '../config.js';
import type { NovaRepos } from '../db/repos.js';
import { S3ImageRepo, ec2Id } from '../db/s3-images.js';
import { InstanceMetadata } from '../metadata/base.js';
import { DynamicVendordata, loadStaticVendordata } from '../metadata/vendordata.js';
import type { Instance } from '../objects/index.js';

export type MetadataSource = (instance: Instance, address: string | undefined) => Promise<InstanceMetadata>;

export function instanceMetadataSource(ctx: RoleContext, repos: NovaRepos): MetadataSource {
  const api = ctx.config.get(apiGroup);
  const s3 = new S3ImageRepo(repos.db);
  const staticVendordata = loadStaticVendordata(api.vendordata_jsonfile_path, ctx.log);
  const dynamic = new DynamicVendordata({
    providers: api.vendordata_providers, jsonfilePath: api.vendordata_jsonfile_path, dynamicTargets: api.vendordata_dynamic_targets,
    connectTimeout: api.vendordata_dynamic_connect_timeout, readTimeout: api.vendordata_dynamic_read_timeout, failureFatal: api.vendordata_dynamic_failure_fatal,
  }, () => ctx.session.getToken(), ctx.log);

  return async (instance, address) => {
    const i = instance.data;
    const keypair = i.key_name ? await repos.keypairs.get(i.user_id, i.key_name).catch(() => undefined) : undefined;
    return new InstanceMetadata({
      instance, address, amiId: i.image_ref ? ec2Id('ami', await s3.idOf(i.image_ref)) : '',
      // nova keeps the key pair with the instance; a key pair deleted since still shows as booted
      keypair: i.key_name ? { name: i.key_name, type: keypair?.type ?? 'ssh', public_key: keypair?.public_key ?? i.key_data ?? '' } : undefined,
      bdms: await repos.bdms.byInstance(i.uuid), dhcpDomain: api.dhcp_domain, vendordataProviders: api.vendordata_providers,
      staticVendordata, dynamicVendordata: (inst) => dynamic.get(inst),
    });
  };
}
