/** Test data: a server (vm1, key pair k, a config drive) and its metadata, for config drive and guest tests. */
import { InstanceMetadata } from '../metadata/base.js';
import { Flavor, Instance, type InstanceFields } from '../objects/index.js';

export const SAMPLE_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBnubo test@nubo';

/** A server of flavor m1.tiny (256 MiB, 1 vCPU, 1 GiB) booted with key pair k, `userData` and a config drive. */
export function sampleInstance(userData: string | null): Instance {
  const flavor = new Flavor({ id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0 } as Flavor['data']);
  return new Instance({
    id: 42, uuid: '6f2b8a4e-2d1c-4b8e-9a57-0c4f1e2d3b4a', hostname: 'vm1', display_name: 'vm1', flavor, metadata: { role: 'test' }, key_name: 'k',
    key_data: SAMPLE_PUBLIC_KEY, user_data: userData === null ? null : Buffer.from(userData).toString('base64'),
    launch_index: 0, availability_zone: 'nova', project_id: 'p1', system_metadata: {}, network_info: [], reservation_id: 'r-1', security_groups: ['default'],
    root_device_name: '/dev/vda', image_ref: 'img', config_drive: 'True',
  } as unknown as InstanceFields);
}

/** The metadata of `instance` as the metadata API would serve it (key pair k, static vendordata). */
export function sampleMetadata(instance: Instance): InstanceMetadata {
  return new InstanceMetadata({
    instance, address: undefined, amiId: 'ami-00000001', keypair: { name: 'k', type: 'ssh', public_key: SAMPLE_PUBLIC_KEY },
    bdms: [], dhcpDomain: 'novalocal', vendordataProviders: ['StaticJSON'], staticVendordata: {}, dynamicVendordata: async () => ({}),
  });
}
