/**
 * nova.objects.RequestSpec: what the scheduler needs to place a server (and to place it again
 * on a reschedule, resize or evacuate): the flavor, the image, the zone, the hints, the group,
 * the hosts to avoid or force, and the number of servers asked for at once.
 */
import { NovaObject } from './base.js';
import type { Flavor } from './flavor.js';
import type { ImageMeta } from './image-meta.js';
import type { InstanceGroup } from './instance-group.js';
import type { NetworkRequestList } from './network-request.js';

export interface Destination {
  host: string | null;
  node: string | null;
  /** Comma-separated aggregate uuids, any of each entry (member_of). */
  aggregates: string[];
  /** Aggregates to avoid (2.89 ... forbidden_aggregates). */
  forbidden_aggregates: string[];
}

export interface RequestSpecFields {
  instance_uuid: string;
  project_id: string;
  user_id: string;
  flavor: Flavor;
  image: ImageMeta;
  num_instances: number;
  availability_zone: string | null;
  /** Hint name -> values (nova keeps every hint as a list). */
  scheduler_hints: Record<string, string[]>;
  instance_group: InstanceGroup | null;
  ignore_hosts: string[];
  force_hosts: string[];
  force_nodes: string[];
  requested_destination: Destination | null;
  security_groups: string[];
  is_bfv: boolean;
  /** Not persisted: the networks of this request. */
  requested_networks: NetworkRequestList | null;
  /** Hosts tried for this server so far (nova's retry.hosts), for build_instances reschedules. */
  num_attempts: number;
}

export class RequestSpec extends NovaObject<RequestSpecFields> {
  static readonly objName = 'RequestSpec';
  static readonly VERSION = '1.14';

  /** The first value of a hint. */
  hint(name: string): string | undefined {
    return this.data.scheduler_hints[name]?.[0];
  }
}
