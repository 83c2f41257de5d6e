/**
 * os-security-groups' view (SecurityGroupControllerBase): a group is id, name, description,
 * tenant_id and its ingress rules; a rule is id, parent_group_id, ip_protocol, from_port,
 * to_port and either group (name and tenant_id of the source group) or ip_range (cidr). A rule
 * whose source group is gone is left out, as nova does.
 */
import type { NovaNetworkClient } from '../network/client.js';
import { getGroup, type NovaGroup, type NovaRule } from '../network/security-group-api.js';
import type { NovaSecurityGroup, NovaSecurityGroupRule } from '../network/security-groups.js';
import { NotFound } from '../errors.js';

export type GroupData = { name: string; tenant_id: string } | null;

/** The source groups of rules, looked up once per request (null: not found). */
export class SourceGroups {
  private readonly known = new Map<string, GroupData>();

  constructor(private readonly client: NovaNetworkClient, groups: readonly NovaGroup[] = []) {
    for (const g of groups) this.add(g);
  }

  add(group: NovaGroup): void {
    this.known.set(group.id, { name: group.name, tenant_id: group.project_id });
  }

  async get(id: string): Promise<GroupData> {
    if (this.known.has(id)) return this.known.get(id)!;
    let data: GroupData = null;
    try {
      const g = await getGroup(this.client, id);
      data = { name: g.name, tenant_id: g.project_id };
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
    }
    this.known.set(id, data);
    return data;
  }
}

/** _format_security_group_rule; undefined when its source group is not found. */
export async function formatRule(rule: NovaRule, sources: SourceGroups): Promise<NovaSecurityGroupRule | undefined> {
  const view: NovaSecurityGroupRule = {
    id: rule.id, parent_group_id: rule.parent_group_id, ip_protocol: rule.protocol, from_port: rule.from_port, to_port: rule.to_port,
    group: {}, ip_range: {},
  };
  if (rule.group_id) {
    const source = await sources.get(rule.group_id);
    if (!source) return undefined;
    view.group = source;
  } else {
    view.ip_range = { cidr: rule.cidr };
  }
  return view;
}

/** _format_security_group. */
export async function formatGroup(group: NovaGroup, sources: SourceGroups): Promise<NovaSecurityGroup> {
  const rules: NovaSecurityGroupRule[] = [];
  for (const rule of group.rules) {
    const view = await formatRule(rule, sources);
    if (view) rules.push(view);
  }
  return { id: group.id, description: group.description, name: group.name, tenant_id: group.project_id, rules };
}
