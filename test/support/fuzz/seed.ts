/**
 * The fuzz test's identities and resources. Identities: the admin, and a member of another
 * project. Resources: one of each kind the services have (made with the admin token), so that
 * path parameters name things that exist and requests reach the code behind the lookup. A new
 * service's routes are fuzzed without an entry here (with well-formed unknown ids); an entry
 * only deepens its coverage.
 */
import { request } from 'undici';

/** A request the cloud accepted: a template for bodies of the same route. */
export interface AcceptedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export class Api {
  /** The successful requests with a body, in order. */
  readonly accepted: AcceptedRequest[] = [];

  constructor(readonly baseUrl: string, readonly token: string) {}

  /** A request that must succeed; returns the parsed body (or undefined for no body). */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
    const res = await request(`${this.baseUrl}${path}`, {
      method: method as 'GET',
      headers: { 'x-auth-token': this.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`fuzz seed: ${method} ${path} -> ${res.statusCode}: ${text.slice(0, 300)}`);
    if (body !== undefined && typeof body !== 'string') this.accepted.push({ method, path: path.split('?')[0]!, body });
    return text ? JSON.parse(text) : undefined;
  }
}

export interface MemberIdentity {
  userId: string;
  projectId: string;
  token: string;
}

/** A user with the member role on a project of its own, and its project-scoped token. */
export async function createMember(api: Api): Promise<MemberIdentity> {
  const password = 'fuzz-member-password';
  const project = (await api.call('POST', '/identity/v3/projects', { project: { name: 'fuzz-other', domain_id: 'default' } })).project;
  const user = (await api.call('POST', '/identity/v3/users', { user: { name: 'fuzz-member', domain_id: 'default', password } })).user;
  const role = (await api.call('GET', '/identity/v3/roles?name=member')).roles[0];
  await api.call('PUT', `/identity/v3/projects/${project.id}/users/${user.id}/roles/${role.id}`);
  const auth = { auth: {
    identity: { methods: ['password'], password: { user: { id: user.id, password } } },
    scope: { project: { id: project.id } },
  } };
  const res = await request(`${api.baseUrl}/identity/v3/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(auth),
  });
  await res.body.dump();
  if (res.statusCode !== 201) throw new Error(`fuzz seed: member login failed: ${res.statusCode}`);
  api.accepted.push({ method: 'POST', path: '/identity/v3/auth/tokens', body: auth });
  return { userId: user.id, projectId: project.id, token: String(res.headers['x-subject-token']) };
}

/** One resource of each kind, owned by fuzz-only identities where ownership matters. */
export async function seedResources(api: Api, member: MemberIdentity): Promise<void> {
  const id = '/identity/v3';
  const domain = (await api.call('POST', `${id}/domains`, { domain: { name: 'fuzz-domain' } })).domain;
  const project = (await api.call('POST', `${id}/projects`, { project: { name: 'fuzz-project', domain_id: domain.id, description: 'd', enabled: true, tags: ['t1'] } })).project;
  const user = (await api.call('POST', `${id}/users`, { user: {
    name: 'fuzz-user', domain_id: domain.id, password: 'fuzz-user-password', email: 'fuzz@example.com', enabled: true,
    options: { ignore_lockout_failure_attempts: true }, default_project_id: project.id,
  } })).user;
  const group = (await api.call('POST', `${id}/groups`, { group: { name: 'fuzz-group', domain_id: domain.id } })).group;
  const role = (await api.call('POST', `${id}/roles`, { role: { name: 'fuzz-role' } })).role;
  const implied = (await api.call('POST', `${id}/roles`, { role: { name: 'fuzz-implied-role' } })).role;
  await api.call('PUT', `${id}/roles/${role.id}/implies/${implied.id}`);
  await api.call('PUT', `${id}/projects/${project.id}/users/${user.id}/roles/${role.id}`);
  await api.call('PUT', `${id}/groups/${group.id}/users/${user.id}`);
  await api.call('PUT', `${id}/projects/${project.id}/tags/fuzz-tag`);
  const region = (await api.call('POST', `${id}/regions`, { region: { id: 'fuzz-region' } })).region;
  const service = (await api.call('POST', `${id}/services`, { service: { type: 'fuzz', name: 'fuzz' } })).service;
  await api.call('POST', `${id}/endpoints`, { endpoint: { service_id: service.id, interface: 'public', url: 'http://fuzz.example.com/', region_id: region.id } });
  await api.call('POST', `${id}/credentials`, { credential: { type: 'ec2', user_id: user.id, project_id: project.id, blob: JSON.stringify({ access: 'fuzz-access', secret: 'fuzz-secret' }) } });
  await api.call('POST', `${id}/policies`, { policy: { blob: '{}', type: 'application/json' } });
  await api.call('PUT', `${id}/domains/${domain.id}/config`, { config: { identity: { driver: 'sql' } } });
  await api.call('POST', `${id}/registered_limits`, { registered_limits: [{ service_id: service.id, resource_name: 'fuzz', default_limit: 5 }] });
  await api.call('POST', `${id}/limits`, { limits: [{ service_id: service.id, project_id: project.id, resource_name: 'fuzz', resource_limit: 3 }] });
  const group2 = (await api.call('POST', `${id}/OS-EP-FILTER/endpoint_groups`, { endpoint_group: { name: 'fuzz-epg', filters: { interface: 'public' } } })).endpoint_group;
  await api.call('PUT', `${id}/OS-EP-FILTER/endpoint_groups/${group2.id}/projects/${project.id}`);
  await api.call('POST', `${id}/OS-OAUTH1/consumers`, { consumer: { description: 'fuzz' } });
  const admin = (await api.call('GET', `${id}/auth/tokens`, undefined, { 'x-subject-token': api.token })).token;
  await api.call('POST', `${id}/OS-TRUST/trusts`, { trust: {
    trustor_user_id: admin.user.id, trustee_user_id: user.id, project_id: admin.project.id, impersonation: false, roles: [{ name: 'member' }],
  } });

  const img = '/image/v2';
  const image = await api.call('POST', `${img}/images`, {
    name: 'fuzz-image', disk_format: 'raw', container_format: 'bare', visibility: 'shared', min_disk: 1, min_ram: 64, tags: ['t1'], fuzz_prop: 'x',
  });
  await api.call('POST', `${img}/images/${image.id}/members`, { member: member.projectId });
  await api.call('PUT', `${img}/images/${image.id}/tags/fuzz-tag`);
  await api.call('POST', `${img}/metadefs/namespaces`, {
    namespace: 'fuzz-ns', visibility: 'public',
    resource_type_associations: [{ name: 'OS::Glance::Image' }],
    properties: { fuzz_prop: { title: 'p', type: 'string' } },
    objects: [{ name: 'fuzz-obj', properties: { a: { title: 'a', type: 'integer' } } }],
    tags: [{ name: 'fuzz-ns-tag' }],
  });

  const net = '/network/v2.0';
  const network = (await api.call('POST', `${net}/networks`, { network: { name: 'fuzz-net', admin_state_up: true, mtu: 1400, description: 'd', shared: false } })).network;
  await api.call('PUT', `${net}/networks/${network.id}/tags/fuzz-tag`);
  const subnet = (await api.call('POST', `${net}/subnets`, { subnet: {
    network_id: network.id, cidr: '10.77.0.0/24', ip_version: 4, gateway_ip: '10.77.0.1', enable_dhcp: true, name: 'fuzz-subnet',
    allocation_pools: [{ start: '10.77.0.10', end: '10.77.0.100' }], dns_nameservers: ['192.0.2.53'], host_routes: [{ destination: '10.88.0.0/24', nexthop: '10.77.0.5' }],
  } })).subnet;
  const port = (await api.call('POST', `${net}/ports`, { port: {
    network_id: network.id, name: 'fuzz-port', admin_state_up: true, fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.77.0.20' }],
    allowed_address_pairs: [{ ip_address: '10.77.0.200', mac_address: 'fa:16:3e:00:00:01' }], extra_dhcp_opts: [{ opt_name: 'mtu', opt_value: '1400' }],
  } })).port;
  const port2 = (await api.call('POST', `${net}/ports`, { port: { network_id: network.id, name: 'fuzz-port2' } })).port;
  const ext = (await api.call('POST', `${net}/networks`, { network: { name: 'fuzz-ext', 'router:external': true } })).network;
  await api.call('POST', `${net}/subnets`, { subnet: { network_id: ext.id, cidr: '172.31.77.0/24', ip_version: 4 } });
  const router = (await api.call('POST', `${net}/routers`, { router: { name: 'fuzz-router', external_gateway_info: { network_id: ext.id } } })).router;
  await api.call('PUT', `${net}/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
  await api.call('PUT', `${net}/routers/${router.id}`, { router: { routes: [{ destination: '10.99.0.0/24', nexthop: '10.77.0.50' }] } });
  await api.call('POST', `${net}/floatingips`, { floatingip: { floating_network_id: ext.id, port_id: port2.id, description: 'd' } });
  const fip = (await api.call('POST', `${net}/floatingips`, { floatingip: { floating_network_id: ext.id } })).floatingip;
  await api.call('POST', `${net}/floatingips/${fip.id}/port_forwardings`, { port_forwarding: {
    internal_port_id: port.id, internal_ip_address: port.fixed_ips[0].ip_address, internal_port: 22, external_port: 2222, protocol: 'tcp',
  } });
  const sg = (await api.call('POST', `${net}/security-groups`, { security_group: { name: 'fuzz-sg' } })).security_group;
  await api.call('POST', `${net}/security-group-rules`, { security_group_rule: {
    security_group_id: sg.id, direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '192.0.2.0/24',
  } });
  const scope = (await api.call('POST', `${net}/address-scopes`, { address_scope: { name: 'fuzz-scope', ip_version: 4 } })).address_scope;
  await api.call('POST', `${net}/subnetpools`, { subnetpool: { name: 'fuzz-pool', prefixes: ['10.200.0.0/16'], default_prefixlen: 24, address_scope_id: scope.id } });
  await api.call('POST', `${net}/rbac-policies`, { rbac_policy: { object_type: 'network', object_id: network.id, action: 'access_as_shared', target_tenant: member.projectId } });
  await api.call('PUT', `${net}/quotas/${project.id}`, { quota: { network: 50 } });
}
