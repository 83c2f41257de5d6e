/** nova.objects.InstanceGroup: a server group with its policy, rules, members and their hosts. */
import { NovaObject } from './base.js';

export type GroupPolicy = 'affinity' | 'anti-affinity' | 'soft-affinity' | 'soft-anti-affinity';

export interface InstanceGroupFields {
  id: number;
  uuid: string;
  name: string | null;
  user_id: string;
  project_id: string;
  policy: GroupPolicy;
  /** max_server_per_host for anti-affinity (2.64). */
  rules: Record<string, number>;
  members: string[];
  /** Hosts of the members (filled by the scheduler's group setup). */
  hosts: string[];
  created_at: string;
  updated_at: string | null;
}

export class InstanceGroup extends NovaObject<InstanceGroupFields> {
  static readonly objName = 'InstanceGroup';
  static readonly VERSION = '1.11';
}
