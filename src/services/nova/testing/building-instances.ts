/**
 * For tests of the build recovery: servers recorded as the API records them (BUILDING, on a host
 * or not), with their request spec (networks asked for, or none as before Nubo kept them) and
 * their create action, straight in Nova's database.
 */
import { randomUUID } from 'node:crypto';
import { nowIso } from '../../../common/db/index.js';
import type { NewInstance } from '../db/instances.js';
import type { NovaRepos } from '../db/repos.js';
import { Flavor, ImageMeta, NetworkRequestList, RequestSpec, type Instance } from '../objects/index.js';

export const TINY = new Flavor({
  id: 1, flavorid: '1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: null,
  disabled: false, is_public: true, extra_specs: {}, description: null, created_at: nowIso(), updated_at: null,
});

export interface BuildingOptions {
  created: string;
  reservation?: string;
  /** On a host (task spawning), or none (task scheduling). */
  host?: string;
  /** The networks of the request; null: a spec without them; default one network. */
  networks?: NetworkRequestList | null;
  /** false: no request spec at all. */
  spec?: boolean;
  requestId?: string;
}

export async function buildingInstance(repos: NovaRepos, opts: BuildingOptions): Promise<Instance> {
  const uuid = randomUUID();
  const values: NewInstance = {
    uuid, user_id: 'u1', project_id: 'p1', image_ref: 'img', hostname: 'vm', display_name: 'vm', display_description: null,
    host: opts.host ?? null, node: opts.host ?? null, launched_on: opts.host ?? null, availability_zone: null, vm_state: 'building',
    task_state: opts.host ? 'spawning' : 'scheduling', power_state: 0, memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 0,
    instance_type_id: 1, flavor: TINY, key_name: null, key_data: null, user_data: null, reservation_id: opts.reservation ?? `r-${uuid.slice(0, 8)}`,
    launch_index: 0, config_drive: '', access_ip_v4: null, access_ip_v6: null, locked: false, locked_by: null, root_device_name: null,
    auto_disk_config: false, progress: 0, launched_at: null, terminated_at: null, created_at: opts.created, updated_at: null, deleted_at: null,
    metadata: {}, system_metadata: {}, tags: [], security_groups: ['default'],
  };
  const instance = await repos.instances.create(values);
  if (opts.spec !== false) {
    await repos.requestSpecs.save(new RequestSpec({
      instance_uuid: uuid, project_id: 'p1', user_id: 'u1', flavor: TINY, image: ImageMeta.empty(), num_instances: 1, availability_zone: null,
      scheduler_hints: {}, instance_group: null, ignore_hosts: [], force_hosts: [], force_nodes: [], requested_destination: null,
      security_groups: ['default'], is_bfv: false, num_attempts: 1,
      requested_networks: opts.networks === undefined ? NetworkRequestList.of([{ network_id: 'net-1', address: null, port_id: null, tag: null }]) : opts.networks,
    }));
  }
  await repos.actions.start(uuid, 'create', opts.requestId ?? `req-${randomUUID()}`, 'u1', 'p1');
  return instance;
}
