/**
 * Security groups and their rules in Neutron as nova's os-security-groups proxy sees them
 * (nova/network/security_group_api.py): Neutron's groups in nova's internal format (ingress
 * rules only, ports 1-65535 or -1 for a protocol without a range), and the calls with nova's
 * translation of Neutron's failures (a 404 is SecurityGroupNotFound with Neutron's message, a
 * 409 on create is SecurityGroupLimitExceeded (403), a 409 on delete Invalid (400)).
 */
import type { SecurityGroup, SecurityGroupRule } from '../../../common/clients/index.js';
import { Forbidden, Invalid, NotFound } from '../errors.js';
import type { NovaNetworkClient, SecurityGroupRuleFields } from './client.js';
import { neutronFailure } from './neutron-errors.js';

/** A rule in nova's format (_convert_to_nova_security_group_rule_format). */
export interface NovaRule {
  id: string;
  parent_group_id: string;
  protocol: string | null;
  from_port: number | null;
  to_port: number | null;
  group_id: string | null;
  cidr: string;
}

export interface NovaGroup {
  id: string;
  name: string;
  description: string;
  project_id: string;
  rules: NovaRule[];
}

/** A rule to add (_new_ingress_rule's values plus the parent group). */
export interface NewRule {
  parent_group_id: string;
  group_id?: string;
  cidr?: string;
  protocol?: string;
  from_port?: number;
  to_port?: number;
}

export function toNovaRule(rule: SecurityGroupRule): NovaRule {
  let from = rule.port_range_min;
  let to = rule.port_range_max;
  if (rule.protocol && from === null && to === null) {
    const tcpUdp = ['TCP', 'UDP'].includes(rule.protocol.toUpperCase());
    from = tcpUdp ? 1 : -1;
    to = tcpUdp ? 65535 : -1;
  }
  return {
    id: rule.id, parent_group_id: rule.security_group_id, protocol: rule.protocol, from_port: from, to_port: to,
    group_id: rule.remote_group_id, cidr: rule.remote_ip_prefix || '0.0.0.0/0',
  };
}

export function toNovaGroup(group: SecurityGroup): NovaGroup {
  return {
    id: group.id, name: group.name, description: group.description, project_id: group.project_id ?? String(group['tenant_id'] ?? ''),
    rules: (group.security_group_rules ?? []).filter((r) => r.direction === 'ingress').map(toNovaRule),
  };
}

/** Neutron's 404 as nova's SecurityGroupNotFound (its message is Neutron's). */
function notFound(err: unknown): unknown {
  const f = neutronFailure(err);
  return f?.status === 404 ? new NotFound(f.message) : err;
}

/** get. @throws NotFound */
export async function getGroup(client: NovaNetworkClient, id: string): Promise<NovaGroup> {
  try {
    return toNovaGroup(await client.getSecurityGroup(id));
  } catch (err) {
    throw notFound(err);
  }
}

/** list: the project's groups, or every group the caller sees for an admin asking all_tenants. */
export async function listGroups(client: NovaNetworkClient, projectId: string, allTenants: boolean): Promise<NovaGroup[]> {
  const groups = await client.listSecurityGroups(allTenants ? {} : { project_id: projectId });
  return groups.map(toNovaGroup);
}

/** create_security_group. @throws Invalid (Neutron's 400), Forbidden (409: over quota) */
export async function createGroup(client: NovaNetworkClient, name: string, description: string): Promise<NovaGroup> {
  try {
    return toNovaGroup(await client.createSecurityGroup({ name, description }));
  } catch (err) {
    const f = neutronFailure(err);
    if (f?.status === 400) throw new Invalid(f.message);
    if (f?.status === 409) throw new Forbidden(f.message);
    throw err;
  }
}

/** update_security_group. @throws NotFound, Invalid */
export async function updateGroup(client: NovaNetworkClient, id: string, name: string, description: string): Promise<NovaGroup> {
  try {
    return toNovaGroup(await client.updateSecurityGroup(id, { name, description }));
  } catch (err) {
    const f = neutronFailure(err);
    if (f?.status === 400) throw new Invalid(f.message);
    throw notFound(err);
  }
}

/** destroy. @throws NotFound, Invalid (Neutron's 409: in use, the default group) */
export async function destroyGroup(client: NovaNetworkClient, id: string): Promise<void> {
  try {
    await client.deleteSecurityGroup(id);
  } catch (err) {
    const f = neutronFailure(err);
    if (f?.status === 409) throw new Invalid(f.message);
    throw notFound(err);
  }
}

/** _rule_exists: the same group, cidr, ports and protocol. */
function ruleExists(group: NovaGroup, rule: NewRule): boolean {
  const keys = ['group_id', 'cidr', 'from_port', 'to_port', 'protocol'] as const;
  return group.rules.some((r) => keys.every((k) => (r[k] ?? undefined) === (rule[k] ?? undefined)));
}

/** _make_neutron_security_group_rules_list for one rule: ingress, ethertype of the cidr, -1 is no port. */
function neutronRule(rule: NewRule): SecurityGroupRuleFields {
  const fields: SecurityGroupRuleFields = {
    direction: 'ingress', protocol: rule.protocol ?? null, ethertype: rule.cidr?.includes(':') ? 'IPv6' : 'IPv4',
    remote_ip_prefix: rule.cidr ?? null, security_group_id: rule.parent_group_id, remote_group_id: rule.group_id ?? null,
  };
  if (rule.from_port !== undefined && rule.from_port !== -1) fields.port_range_min = rule.from_port;
  if (rule.to_port !== undefined && rule.to_port !== -1) fields.port_range_max = rule.to_port;
  return fields;
}

/**
 * create_security_group_rule: refused if the group has the rule already.
 * @throws Invalid (duplicate, Neutron's 400), NotFound, Forbidden (Neutron's 409)
 */
export async function addRule(client: NovaNetworkClient, group: NovaGroup, rule: NewRule): Promise<NovaRule> {
  if (ruleExists(group, rule)) throw new Invalid(`This rule already exists in group ${rule.parent_group_id}`);
  try {
    return toNovaRule(await client.createSecurityGroupRule(neutronRule(rule)));
  } catch (err) {
    const f = neutronFailure(err);
    if (f?.status === 409) throw new Forbidden(f.message);
    if (f?.status === 400) throw new Invalid(f.message);
    throw notFound(err);
  }
}

/** get_rule. @throws NotFound */
export async function getRule(client: NovaNetworkClient, id: string): Promise<NovaRule> {
  try {
    return toNovaRule(await client.getSecurityGroupRule(id));
  } catch (err) {
    throw notFound(err);
  }
}

/** remove_rules for one rule. @throws NotFound */
export async function removeRule(client: NovaNetworkClient, id: string): Promise<void> {
  try {
    await client.deleteSecurityGroupRule(id);
  } catch (err) {
    throw notFound(err);
  }
}
