/**
 * Floating IPs in Neutron as nova's os-floating-ips proxy uses them (nova/network/neutron.py
 * get_floating_ip*, allocate_floating_ip, associate/disassociate, release): each with its
 * network's details (the pool) and its port's (the server), through the caller's client, with
 * nova's translation of Neutron's failures.
 */
import type { Network } from '../../../common/clients/index.js';
import { Forbidden, Invalid, NetworkNotFound, NotFound, NovaException } from '../errors.js';
import type { FloatingIp, NovaNetworkClient } from './client.js';
import { neutronFailed, neutronFailure } from './neutron-errors.js';

/** A floating IP with the network it comes from and the port it is NAT'ed to. */
export interface DetailedFloatingIp extends FloatingIp {
  network_details: Network;
}

const UUID_LIKE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The port's details where Neutron has no fip-port-details. */
async function withPortDetails(client: NovaNetworkClient, fip: FloatingIp): Promise<FloatingIp> {
  if (fip.port_details !== undefined) return fip;
  if (!fip.port_id) return { ...fip, port_details: null };
  try {
    return { ...fip, port_details: await client.getPort(fip.port_id) };
  } catch (err) {
    if (neutronFailed(err, 404)) return { ...fip, port_details: null };
    throw err;
  }
}

async function detailed(client: NovaNetworkClient, fip: FloatingIp): Promise<DetailedFloatingIp> {
  let network: Network;
  try {
    network = await client.getNetwork(fip.floating_network_id);
  } catch (err) {
    if (neutronFailed(err, 404)) throw new NetworkNotFound(fip.floating_network_id);
    throw err;
  }
  return { ...(await withPortDetails(client, fip)), network_details: network };
}

/** get_floating_ip. @throws NotFound 'Floating IP not found for ID <id>' */
export async function getFloatingIp(client: NovaNetworkClient, id: string): Promise<DetailedFloatingIp> {
  let fip: FloatingIp;
  try {
    fip = await client.getFloatingIp(id);
  } catch (err) {
    if (neutronFailed(err, 404)) throw new NotFound(`Floating IP not found for ID ${id}`);
    throw err;
  }
  return detailed(client, fip);
}

/** _get_floating_ip_by_address. @throws NotFound (none), NovaException 409 (several) */
export async function floatingIpByAddress(client: NovaNetworkClient, address: string): Promise<FloatingIp> {
  const fips = address ? await client.listFloatingIps({ floating_ip_address: address }) : [];
  if (fips.length === 0) throw new NotFound(`Floating IP not found for address ${address}.`);
  if (fips.length > 1) throw new NovaException(`Multiple floating IPs are found for address ${address}.`, 409);
  return fips[0]!;
}

/** get_floating_ip_by_address, with the details. */
export async function getFloatingIpByAddress(client: NovaNetworkClient, address: string): Promise<DetailedFloatingIp> {
  return detailed(client, await floatingIpByAddress(client, address));
}

/** get_floating_ips_by_project. */
export async function floatingIpsOfProject(client: NovaNetworkClient, projectId: string): Promise<DetailedFloatingIp[]> {
  const fips = await client.listFloatingIps({ project_id: projectId });
  if (fips.length === 0) return [];
  const networks = new Map((await client.listNetworks({ id: [...new Set(fips.map((f) => f.floating_network_id))] })).map((n) => [n.id, n]));
  const out: DetailedFloatingIp[] = [];
  for (const fip of fips) {
    const network = networks.get(fip.floating_network_id);
    if (!network) throw new NetworkNotFound(fip.floating_network_id);
    out.push({ ...(await withPortDetails(client, fip)), network_details: network });
  }
  return out;
}

/** get_floating_ip_pools: the external networks. */
export async function floatingIpPools(client: NovaNetworkClient): Promise<Network[]> {
  return client.listNetworks({ 'router:external': true });
}

/** _get_floating_ip_pool_id_by_name_or_id. */
async function poolId(client: NovaNetworkClient, nameOrId: string): Promise<string> {
  const nets = await client.listNetworks({ 'router:external': true, fields: 'id', ...(UUID_LIKE.test(nameOrId) ? { id: nameOrId } : { name: nameOrId }) });
  if (nets.length === 0) throw new NotFound('Floating IP pool not found.');
  if (nets.length > 1) throw new NovaException(`Multiple floating IP pools matches found for name '${nameOrId}'`, 409);
  return nets[0]!.id;
}

/**
 * allocate_floating_ip: a floating IP of the pool (by name or id) for the caller's project.
 * @throws NotFound (no such pool, no address left), Forbidden (over quota), Invalid (Neutron's 400)
 */
export async function allocateFloatingIp(client: NovaNetworkClient, pool: string, poolAsked: boolean): Promise<DetailedFloatingIp> {
  const id = await poolId(client, pool);
  let fip: FloatingIp;
  try {
    fip = await client.createFloatingIp({ floating_network_id: id });
  } catch (err) {
    const f = neutronFailure(err);
    if (f && ['IpAddressGenerationFailure', 'ExternalIpAddressExhausted'].includes(f.type)) {
      throw new NotFound(poolAsked ? `No more floating IPs in pool ${pool}.` : 'No more floating IPs available.');
    }
    if (f && (f.type === 'OverQuota' || f.status === 409)) throw new Forbidden(poolAsked ? `IP allocation over quota in pool ${pool}.` : 'IP allocation over quota.');
    if (f?.status === 400) throw new Invalid(f.message);
    throw err;
  }
  return getFloatingIpByAddress(client, fip.floating_ip_address);
}

/** _release_floating_ip (not refused when associated). @throws NotFound */
export async function releaseFloatingIp(client: NovaNetworkClient, fip: FloatingIp): Promise<void> {
  try {
    await client.deleteFloatingIp(fip.id);
  } catch (err) {
    if (neutronFailed(err, 404)) throw new NotFound(`Floating IP not found for address ${fip.floating_ip_address}.`);
    throw err;
  }
}

/** associate_floating_ip: the floating IP NAT'ed to `fixedAddress` on `portId`. @throws Invalid (Neutron's 409) */
export async function associateFloatingIp(client: NovaNetworkClient, fip: FloatingIp, portId: string, fixedAddress: string): Promise<void> {
  try {
    await client.updateFloatingIp(fip.id, { port_id: portId, fixed_ip_address: fixedAddress });
  } catch (err) {
    const f = neutronFailure(err);
    if (f && [400, 404, 409].includes(f.status)) throw new Invalid(f.message);
    throw err;
  }
}

/** disassociate_floating_ip. */
export async function disassociateFloatingIp(client: NovaNetworkClient, fip: FloatingIp): Promise<void> {
  await client.updateFloatingIp(fip.id, { port_id: null });
}
