/**
 * Interface attachments (nova/api/openstack/compute/attach_interfaces.py): GET/POST
 * /servers/{id}/os-interface, GET/DELETE /servers/{id}/os-interface/{port_id}. A port is
 * attached on the server's host (compute/interface-attach.ts) from a network (optionally with
 * one fixed IP) or an existing port, with a device tag from 2.49 (shown from 2.70); detaching
 * answers 202 and the host unplugs it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Port } from '../../../common/clients/index.js';
import { BadRequest, NuboError } from '../../../common/errors.js';
import { NotFound } from '../errors.js';
import type { Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, type Caller } from './request.js';
import { authorizedServer, controllerError } from './server-scope.js';
import { TAG, UUID } from './schemas/servers.js';
import { invalidStateConflict } from './server-actions/index.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:os-attach-interfaces:${name}`;
const IP = { type: 'string', oneOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };

function createSchema(withTag: boolean): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      interfaceAttachment: {
        type: 'object',
        properties: {
          net_id: UUID, port_id: UUID,
          fixed_ips: {
            type: 'array', minItems: 1, maxItems: 1,
            items: { type: 'object', properties: { ip_address: IP }, required: ['ip_address'], additionalProperties: false },
          },
          ...(withTag ? { tag: TAG } : {}),
        },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  };
}
const CREATE = createSchema(false);
const CREATE_249 = createSchema(true);

interface CreateBody {
  interfaceAttachment?: { net_id?: string; port_id?: string; fixed_ips?: Array<{ ip_address: string }>; tag?: string };
}

/** Errors of attach_interface as the controller answers them (they may come back from the host as their class names). */
const CREATE_STATUS: Readonly<Record<string, number>> = {
  InstanceIsLocked: 409, FixedIpAlreadyInUse: 409, PortInUse: 409, PortNotFound: 404, NetworkNotFound: 404, PortLimitExceeded: 403,
  InterfaceAttachFailedNoNetwork: 400, NetworkAmbiguous: 400, NoMoreFixedIps: 400, PortNotUsable: 400, AttachInterfaceNotSupported: 400,
  SecurityGroupCannotBeApplied: 400, NetworkInterfaceTaggedAttachNotSupported: 400, PortRequiresFixedIP: 400, ExternalNetworkAttachForbidden: 403,
};

function answerFor(err: unknown, serverId: string): unknown {
  if (err instanceof NuboError && err.name === 'InstanceInvalidState') return invalidStateConflict(err, 'attach_interface', serverId);
  return controllerError(err, CREATE_STATUS);
}

function view(port: Port, tag?: string | null): Record<string, unknown> {
  return {
    net_id: port.network_id, port_id: port.id, mac_addr: port.mac_address, port_state: port.status, fixed_ips: port.fixed_ips ?? null,
    ...(tag !== undefined ? { tag } : {}),
  };
}

function authorized(req: FastifyRequest<{ Params: { id: string } }>, deps: ApiDeps, name: string): Promise<{ c: Caller; instance: Instance }> {
  return authorizedServer(req, deps, rule(name));
}

async function show(deps: ApiDeps, c: Caller, instance: Instance, portId: string): Promise<unknown> {
  const port = await deps.compute.network.showPort(c.ctx, portId);
  if (port.device_id !== instance.uuid) throw new NotFound(`Instance ${instance.uuid} does not have a port with id ${portId}`);
  let tag: string | null | undefined;
  if (c.version.atLeast('2.70')) tag = (await deps.repos.vifs.byInstance(instance.uuid)).find((v) => v.uuid === port.id)?.tag ?? null;
  return { interfaceAttachment: view(port, tag) };
}

export function attachInterfacesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>('/servers/:id/os-interface', async (req) => {
    const { c, instance } = await authorized(req, deps, 'list');
    const ports = await deps.compute.network.portsOf(c.ctx, instance);
    const tags = c.version.atLeast('2.70') ? new Map((await deps.repos.vifs.byInstance(instance.uuid)).map((v) => [v.uuid, v.tag])) : undefined;
    return { interfaceAttachments: ports.map((p) => view(p, tags ? (tags.get(p.id) ?? null) : undefined)) };
  });

  app.get<{ Params: { id: string; portId: string } }>('/servers/:id/os-interface/:portId', async (req) => {
    const { c, instance } = await authorized(req, deps, 'show');
    return show(deps, c, instance, req.params.portId);
  });

  app.post<{ Params: { id: string } }>('/servers/:id/os-interface', async (req) => {
    const c = caller(req, deps);
    const body = validateBody<CreateBody>(c.version.atLeast('2.49') ? CREATE_249 : CREATE, req.body ?? {});
    const { instance } = await authorized(req, deps, 'create');
    const a = body.interfaceAttachment ?? {};
    const ip = a.fixed_ips?.[0]?.ip_address ?? null;
    if (a.net_id && a.port_id) throw new BadRequest('Must not input both network_id and port_id');
    if (ip && !a.net_id) throw new BadRequest('Must input network_id when request IP address');
    let vifId: string;
    try {
      const vif = await deps.compute.attachInterface(c.ctx, instance, {
        network_id: a.net_id ?? null, port_id: a.port_id ?? null, requested_ip: ip, tag: a.tag ?? null,
      }, c.isAdmin);
      vifId = vif.id;
    } catch (err) {
      throw answerFor(err, instance.uuid);
    }
    return show(deps, c, instance, vifId);
  });

  app.delete<{ Params: { id: string; portId: string } }>('/servers/:id/os-interface/:portId', async (req, reply) => {
    const { c, instance } = await authorized(req, deps, 'delete');
    try {
      await deps.compute.detachInterface(c.ctx, instance, req.params.portId, c.isAdmin);
    } catch (err) {
      throw invalidStateConflict(err, 'detach_interface', instance.uuid);
    }
    return reply.code(202).send();
  });
}
