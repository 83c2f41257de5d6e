/**
 * addFloatingIp and removeFloatingIp (nova's FloatingIPActionController, 2.1 to 2.43): the
 * floating IP of the caller's project, by address, is NAT'ed in Neutron to a fixed IP of the
 * server (the one asked, else its first IPv4 address) on the port that has it, or taken off it;
 * 202, and the server's network info cache refreshed. Nova's 400s for a server without network
 * or fixed IPs, 404 for an unknown address, 409 for removing one the server does not have.
 */
import { isIPv4 } from 'node:net';
import { BadRequest, Conflict } from '../../../../common/errors.js';
import { NotFound } from '../../errors.js';
import {
  associateFloatingIp, disassociateFloatingIp, floatingIpByAddress, getFloatingIpByAddress, type DetailedFloatingIp,
} from '../../network/floating-ip-api.js';
import type { Instance } from '../../objects/index.js';
import type { ApiDeps } from '../deps.js';
import { instanceOf, refreshNetworkCache } from '../floating-ips.js';
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';

const IP_ADDRESS = { type: 'string', oneOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
const ADD_FLOATING_IP = {
  type: 'object', properties: { address: IP_ADDRESS, fixed_address: IP_ADDRESS }, required: ['address'], additionalProperties: false,
};
const REMOVE_FLOATING_IP = { type: 'object', properties: { address: IP_ADDRESS }, required: ['address'], additionalProperties: false };

/** The fixed addresses of the server's network info cache. */
function fixedIps(instance: Instance): string[] {
  return instance.data.network_info.flatMap((vif) => vif.network.subnets.flatMap((s) => s.ips.map((ip) => ip.address)));
}

/** The fixed address to NAT to, as the controller picks it. @throws BadRequest */
function pickFixedAddress(instance: Instance, address: string, asked: string | undefined): string {
  if (instance.data.network_info.length === 0) throw new BadRequest('Instance network is not ready yet');
  const fixed = fixedIps(instance);
  if (fixed.length === 0) throw new BadRequest('No fixed IPs associated to instance');
  if (asked !== undefined) {
    if (!fixed.includes(asked)) throw new BadRequest('Specified fixed address not assigned to instance');
    return asked;
  }
  const v4 = fixed.find((ip) => isIPv4(ip));
  if (!v4) {
    throw new BadRequest(`Unable to associate floating IP ${address} to any fixed IPs for instance ${instance.uuid}. Instance has no fixed IPv4 addresses to associate.`);
  }
  return v4;
}

/** The server a floating IP was NAT'ed to before, if it is one we keep a cache for. */
async function previousInstance(deps: ApiDeps, fip: DetailedFloatingIp, now: string): Promise<Instance | undefined> {
  const id = fip.port_details?.device_id;
  if (!fip.port_id || !id || id === now) return undefined;
  return deps.repos.instances.get(id).catch(() => undefined);
}

export const floatingIpActions: ServerAction[] = [
  {
    name: 'addFloatingIp',
    maxVersion: '2.43',
    async run({ deps, caller: c, instance, body, reply }) {
      deps.policy.can(c.ctx, 'os_compute_api:os-floating-ips:add', { project_id: instance.data.project_id });
      const { address, fixed_address: asked } = validateBody<{ address: string; fixed_address?: string }>(ADD_FLOATING_IP, body);
      const fixedAddress = pickFixedAddress(instance, address, asked);
      const client = deps.compute.network.clientFor(c.ctx);
      const port = (await client.listPorts({ device_id: instance.uuid })).find((p) => p.fixed_ips.some((f) => f.ip_address === fixedAddress));
      if (!port) {
        throw new BadRequest(`Unable to associate floating IP ${address} to fixed IP ${fixedAddress} for instance ${instance.uuid}. Error: Fixed IP associate failed for network: ${fixedAddress}.`);
      }
      let fip: DetailedFloatingIp;
      try {
        fip = await getFloatingIpByAddress(client, address);
      } catch (err) {
        if (err instanceof NotFound) throw new NotFound('floating IP not found');
        throw err;
      }
      await associateFloatingIp(client, fip, port.id, fixedAddress);
      await refreshNetworkCache(deps, instance);
      await refreshNetworkCache(deps, await previousInstance(deps, fip, instance.uuid));
      return reply.code(202).send();
    },
  },
  {
    name: 'removeFloatingIp',
    maxVersion: '2.43',
    async run({ deps, caller: c, instance, body, reply }) {
      const { address } = validateBody<{ address: string }>(REMOVE_FLOATING_IP, body);
      const client = deps.compute.network.clientFor(c.ctx);
      const fip = await getFloatingIpByAddress(client, address);
      const owner = await instanceOf(deps, c, fip);
      deps.policy.can(c.ctx, 'os_compute_api:os-floating-ips:remove', owner ? { project_id: owner.data.project_id } : {});
      const current = await floatingIpByAddress(client, address).catch((err: unknown) => {
        throw err instanceof NotFound ? new NotFound('floating IP not found') : err;
      });
      if (!owner || !current.port_id || owner.uuid !== instance.uuid) {
        throw new Conflict(`Floating IP ${address} is not associated with instance ${instance.uuid}.`);
      }
      await disassociateFloatingIp(client, current);
      await refreshNetworkCache(deps, instance);
      return reply.code(202).send();
    },
  },
];
