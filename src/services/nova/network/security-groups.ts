/**
 * A server's security groups in Neutron (nova/network/security_group_api.py): the groups of its
 * ports in nova's format (get_instance_security_groups, detailed), and add_to_instance /
 * remove_from_instance, which change the security groups of every port of the server.
 */
import { ServiceClientError, type Port, type SecurityGroup, type SecurityGroupRule } from '../../../common/clients/index.js';
import { Conflict } from '../../../common/errors.js';
import { NotFound, SecurityGroupCannotBeApplied } from '../errors.js';
import type { NovaNetworkClient } from './client.js';
import { toNovaRule } from './security-group-api.js';

/** A security group rule as nova's os-security-groups shows it. */
export interface NovaSecurityGroupRule {
  id: string;
  parent_group_id: string;
  ip_protocol: string | null;
  from_port: number | null;
  to_port: number | null;
  group: { name?: string; tenant_id?: string };
  ip_range: { cidr?: string | null };
}

export interface NovaSecurityGroup {
  id: string;
  name: string;
  description: string;
  tenant_id: string;
  rules: NovaSecurityGroupRule[];
}

/** parse_cidr: a missing prefix is 0.0.0.0/0 (or ::/0 for IPv6). */
function cidrOf(rule: SecurityGroupRule): string {
  if (rule.remote_ip_prefix) return rule.remote_ip_prefix;
  return rule.ethertype === 'IPv6' ? '::/0' : '0.0.0.0/0';
}

/** _convert_to_nova_security_group_rule_format and the view's _format_security_group_rule. */
function ruleView(rule: SecurityGroupRule, groups: ReadonlyMap<string, { name: string; tenant_id: string }>): NovaSecurityGroupRule | undefined {
  const nova = toNovaRule(rule);
  const view: NovaSecurityGroupRule = {
    id: rule.id, parent_group_id: rule.security_group_id, ip_protocol: rule.protocol, from_port: nova.from_port, to_port: nova.to_port, group: {}, ip_range: {},
  };
  if (rule.remote_group_id) {
    const source = groups.get(rule.remote_group_id);
    if (!source) return undefined;
    view.group = { name: source.name, tenant_id: source.tenant_id };
  } else {
    view.ip_range = { cidr: cidrOf(rule) };
  }
  return view;
}

/** The security groups of a server's ports, with their ingress rules, sorted by project and name. */
export async function instanceSecurityGroups(client: NovaNetworkClient, instanceUuid: string): Promise<NovaSecurityGroup[]> {
  const ports = await client.listPorts({ device_id: instanceUuid });
  const ids = [...new Set(ports.flatMap((p) => p.security_groups ?? []))];
  if (ids.length === 0) return [];
  const groups = await client.listSecurityGroups({ id: ids });
  const known = new Map(groups.map((g) => [g.id, { name: g.name, tenant_id: g.project_id }]));
  const remoteIds = [...new Set(groups.flatMap((g) => g.security_group_rules.map((r) => r.remote_group_id)).filter((r): r is string => !!r && !known.has(r)))];
  if (remoteIds.length > 0) for (const g of await client.listSecurityGroups({ id: remoteIds })) known.set(g.id, { name: g.name, tenant_id: g.project_id });
  // One entry per port that has the group, as nova's bindings list them.
  const byId = new Map(groups.map((g) => [g.id, g]));
  const out: NovaSecurityGroup[] = [];
  for (const port of ports) {
    for (const id of port.security_groups ?? []) {
      const g = byId.get(id);
      if (!g) continue;
      out.push({
        id: g.id, name: g.name, description: g.description, tenant_id: g.project_id,
        rules: g.security_group_rules.filter((r) => r.direction === 'ingress').map((r) => ruleView(r, known)).filter((r): r is NovaSecurityGroupRule => !!r),
      });
    }
  }
  return out.sort((a, b) => (a.tenant_id === b.tenant_id ? a.name.localeCompare(b.name) : a.tenant_id.localeCompare(b.tenant_id)));
}

/** neutronclient's find_resourceid_by_name_or_id for security groups of the caller's project. */
async function findSecurityGroupId(client: NovaNetworkClient, nameOrId: string, projectId: string): Promise<string> {
  const byId = await client.listSecurityGroups({ id: nameOrId, fields: ['id'] });
  if (byId.length === 1) return byId[0]!.id;
  const byName: SecurityGroup[] = await client.listSecurityGroups({ name: nameOrId, project_id: projectId, fields: ['id', 'name'] });
  if (byName.length > 1) throw new Conflict(`Multiple security_group matches found for name '${nameOrId}', use an ID to be more specific.`);
  if (byName.length === 0) throw new NotFound(`Security group ${nameOrId} is not found for project ${projectId}`);
  return byName[0]!.id;
}

/** _has_security_group_requirements: port security on and an address (or one deferred). */
function acceptsSecurityGroups(port: Port): boolean {
  const hasIp = port.fixed_ips.length > 0 || port['ip_allocation'] === 'deferred';
  return hasIp && port['port_security_enabled'] !== false;
}

async function serverPorts(client: NovaNetworkClient, instanceUuid: string): Promise<Port[]> {
  const ports = await client.listPorts({ device_id: instanceUuid });
  if (ports.length === 0) throw new NotFound(`instance_id ${instanceUuid} could not be found as device id on any ports`);
  return ports;
}

/**
 * add_to_instance: the group is added to every port of the server.
 * @throws NotFound (no such group, no ports), Conflict (ambiguous name, Neutron 409), SecurityGroupCannotBeApplied
 */
export async function addToInstance(client: NovaNetworkClient, instanceUuid: string, name: string, projectId: string): Promise<void> {
  const id = await findSecurityGroupId(client, name, projectId);
  for (const port of await serverPorts(client, instanceUuid)) {
    if (!acceptsSecurityGroups(port)) throw new SecurityGroupCannotBeApplied();
    try {
      await client.updatePort(port.id, { security_groups: [...(port.security_groups ?? []), id] });
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 400) throw new SecurityGroupCannotBeApplied();
      if (err instanceof ServiceClientError && err.status === 409) throw new Conflict(err.message);
      throw err;
    }
  }
}

/**
 * remove_from_instance: the group is taken off the ports that have it.
 * @throws NotFound (no such group, no ports, or none of the ports has it), Conflict (ambiguous name)
 */
export async function removeFromInstance(client: NovaNetworkClient, instanceUuid: string, name: string, projectId: string): Promise<void> {
  const id = await findSecurityGroupId(client, name, projectId);
  let found = false;
  for (const port of await serverPorts(client, instanceUuid)) {
    if (!(port.security_groups ?? []).includes(id)) continue;
    await client.updatePort(port.id, { security_groups: port.security_groups.filter((g) => g !== id) });
    found = true;
  }
  if (!found) throw new NotFound(`Security group ${name} not associated with the instance ${instanceUuid}`);
}
