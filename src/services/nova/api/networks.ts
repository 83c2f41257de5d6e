/**
 * os-networks and os-tenant-networks (nova's NetworkController and TenantNetworkController),
 * proxied to Neutron with the caller's token up to 2.35 (404 from 2.36): the networks the caller
 * sees in Neutron, as what is left of nova-network's view (id and label; nova-network's other
 * fields are null, and os-tenant-networks' cidr the string 'None', as upstream answers with
 * Neutron). The nova-network actions (create, add, delete, disassociate) are gone: 410.
 */
import type { FastifyInstance } from 'fastify';
import type { Network } from '../../../common/clients/index.js';
import { BadRequest, Gone } from '../../../common/errors.js';
import { NotFound } from '../errors.js';
import { neutronFailed } from '../network/neutron-errors.js';
import type { ApiDeps } from './deps.js';
import { authorizeProxy } from './proxy-gate.js';
import { caller, type Caller } from './request.js';

const FIELDS = ['id', 'cidr', 'netmask', 'gateway', 'broadcast', 'dns1', 'dns2', 'cidr_v6', 'gateway_v6', 'label', 'netmask_v6'];
const ADMIN_FIELDS = [
  'created_at', 'updated_at', 'deleted_at', 'deleted', 'injected', 'bridge', 'vlan', 'vpn_public_address', 'vpn_public_port',
  'vpn_private_address', 'dhcp_start', 'project_id', 'host', 'bridge_interface', 'multi_host', 'priority', 'rxtx_base', 'mtu',
  'dhcp_server', 'enable_dhcp', 'share_address',
];

/** networks.network_dict: id and label from Neutron, the admin's extra fields for an admin, all else null. */
function networkView(network: Network, isAdmin: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const field of isAdmin ? [...FIELDS, ...ADMIN_FIELDS] : FIELDS) view[field] = null;
  view['id'] = network.id;
  view['label'] = network.name;
  return view;
}

/** tenant_networks.network_dict. */
function tenantNetworkView(network: Network): Record<string, unknown> {
  return { id: network.id, cidr: 'None', label: network.name };
}

async function showNetwork(deps: ApiDeps, c: Caller, id: string): Promise<Network> {
  try {
    return await deps.compute.network.clientFor(c.ctx).getNetwork(id);
  } catch (err) {
    if (neutronFailed(err, 404)) throw new NotFound('Network not found');
    throw err;
  }
}

const gone = async (): Promise<never> => {
  throw new Gone('This resource is no longer available.');
};

export function networksRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const list = (c: Caller) => deps.compute.network.clientFor(c.ctx).listNetworks();

  app.get('/os-networks', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-networks:list');
    return { networks: (await list(c)).map((n) => networkView(n, c.isAdmin)) };
  });
  app.get<{ Params: { id: string } }>('/os-networks/:id', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-networks:show');
    return { network: networkView(await showNetwork(deps, c, req.params.id), c.isAdmin) };
  });
  app.post('/os-networks', gone);
  app.post('/os-networks/add', gone);
  app.delete('/os-networks/:id', gone);
  app.post<{ Params: { id: string } }>('/os-networks/:id/action', async (req) => {
    const body = req.body;
    const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
    if (keys.length !== 1 || keys[0] !== 'disassociate') throw new BadRequest(keys.length === 0 ? 'Malformed request body' : `There is no such action: ${keys.join(', ')}`);
    return gone();
  });

  app.get('/os-tenant-networks', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-tenant-networks:list');
    return { networks: (await list(c)).map(tenantNetworkView) };
  });
  app.get<{ Params: { id: string } }>('/os-tenant-networks/:id', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-tenant-networks:show');
    return { network: tenantNetworkView(await showNetwork(deps, c, req.params.id)) };
  });
  app.post('/os-tenant-networks', gone);
  app.delete('/os-tenant-networks/:id', gone);
}
