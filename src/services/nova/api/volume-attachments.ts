/**
 * Volume attachments (nova/api/openstack/compute/volumes.py VolumeAttachmentController):
 * GET/POST /servers/{id}/os-volume_attachments, GET/PUT/DELETE
 * /servers/{id}/os-volume_attachments/{volume_id}. The server's volume block device mappings,
 * with the tag from 2.70, delete_on_termination from 2.79, attachment_id and bdm_uuid (and no
 * id) from 2.89. Attach reserves the volume in Cinder and the host attaches it; detach is 202.
 * PUT changes delete_on_termination from 2.85, or (admin) swaps the attachment to another
 * volume, which the host carries out.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, NuboError } from '../../../common/errors.js';
import { InstanceInvalidState, MultiattachSwapVolumeNotSupported, NotFound, VolumeBDMNotFound, VolumeNotFound } from '../errors.js';
import type { BlockDeviceMapping, Instance } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller, getInstance, type Caller } from './request.js';
import { authorizedServer, controllerError } from './server-scope.js';
import { BOOLEAN, TAG, UUID } from './schemas/servers.js';
import { invalidStateConflict } from './server-actions/index.js';
import { validateBody } from './validation.js';

const rule = (name: string): string => `os_compute_api:os-volumes-attachments:${name}`;
const DEVICE = { type: ['string', 'null'], pattern: '(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$' };

function attachmentSchema(props: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'object',
    properties: { volumeAttachment: { type: 'object', properties: { volumeId: UUID, ...props }, required: ['volumeId'], additionalProperties: false } },
    required: ['volumeAttachment'], additionalProperties: false,
  };
}
const CREATE = attachmentSchema({ device: DEVICE });
const CREATE_249 = attachmentSchema({ device: DEVICE, tag: TAG });
const CREATE_279 = attachmentSchema({ device: DEVICE, tag: TAG, delete_on_termination: BOOLEAN });
const UPDATE = attachmentSchema({});
const UPDATE_285 = attachmentSchema({ device: DEVICE, tag: TAG, delete_on_termination: BOOLEAN, serverId: UUID, id: UUID });

interface AttachmentBody {
  volumeAttachment: { volumeId: string; device?: string | null; tag?: string; delete_on_termination?: boolean | string; serverId?: string; id?: string };
}

const TRUE = new Set([true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes']);

/** Nova's answers to the compute API's errors of attach_volume / detach_volume. */
const STATUS: Readonly<Record<string, number>> = {
  VolumeNotFound: 404, InstanceIsLocked: 409, DevicePathInUse: 409, InvalidVolume: 400, InvalidDevicePath: 400, InvalidInput: 400,
  VolumeTaggedAttachNotSupported: 400, MultiattachNotSupportedOldMicroversion: 400, TooManyDiskDevices: 403,
};

function answerFor(err: unknown, method: string, serverId: string): unknown {
  if (err instanceof InstanceInvalidState) return invalidStateConflict(err, method, serverId);
  return controllerError(err, STATUS);
}

function view(bdm: BlockDeviceMapping, c: Caller): Record<string, unknown> {
  const b = bdm.data;
  const out: Record<string, unknown> = {};
  if (!c.version.atLeast('2.89')) out['id'] = b.volume_id;
  out['volumeId'] = b.volume_id;
  out['serverId'] = b.instance_uuid;
  if (b.device_name) out['device'] = b.device_name;
  if (c.version.atLeast('2.70')) out['tag'] = b.tag;
  if (c.version.atLeast('2.79')) out['delete_on_termination'] = b.delete_on_termination;
  if (c.version.atLeast('2.89')) {
    out['attachment_id'] = b.attachment_id;
    out['bdm_uuid'] = b.uuid;
  }
  return out;
}

function authorized(req: FastifyRequest<{ Params: { id: string } }>, deps: ApiDeps, name: string): Promise<{ c: Caller; instance: Instance }> {
  return authorizedServer(req, deps, rule(name));
}

/** The live volume mapping, as the controller's 404 says it. */
async function attached(deps: ApiDeps, c: Caller, instance: Instance, volumeId: string): Promise<BlockDeviceMapping> {
  const notAttached = () => new NotFound(`Instance ${instance.uuid} is not attached to volume ${volumeId}`);
  let bdm: BlockDeviceMapping;
  try {
    bdm = await deps.repos.bdms.byVolumeAndInstance(volumeId, instance.uuid);
  } catch (err) {
    if (err instanceof VolumeBDMNotFound) throw notAttached();
    throw err;
  }
  if (c.version.atLeast('2.89') && !bdm.data.attachment_id) throw notAttached();
  return bdm;
}

/** _update_volume_swap: the old volume must be known (404), the new one too (400). */
async function swapVolume(deps: ApiDeps, c: Caller, instance: Instance, oldId: string, newId: string): Promise<void> {
  const cinder = deps.compute.volume;
  let oldVolume;
  let newVolume;
  try {
    oldVolume = await cinder.get(c.ctx, oldId);
  } catch (err) {
    throw answerFor(err, 'swap_volume', instance.uuid);
  }
  try {
    newVolume = await cinder.get(c.ctx, newId);
  } catch (err) {
    if (err instanceof VolumeNotFound) throw new BadRequest(err.message);
    throw answerFor(err, 'swap_volume', instance.uuid);
  }
  try {
    await deps.compute.swapVolume(c.ctx, instance, oldVolume, newVolume, c.isAdmin);
  } catch (err) {
    if (err instanceof VolumeBDMNotFound) throw new NotFound('The volume was either invalid or not attached to the instance.');
    if (err instanceof MultiattachSwapVolumeNotSupported) throw new BadRequest(err.message);
    throw answerFor(err, 'swap_volume', instance.uuid);
  }
}

type Params = { id: string; volumeId: string };

/** _check_request_version: volumes of shelved servers are attached and detached from 2.20 on (409 before). */
function shelvedNeeds220(c: Caller, instance: Instance, method: string): void {
  const state = instance.data.vm_state;
  if ((state === 'shelved' || state === 'shelved_offloaded') && !c.version.atLeast('2.20')) {
    throw invalidStateConflict(new InstanceInvalidState(instance.uuid, 'vm_state', state, method), method, instance.uuid);
  }
}

export function volumeAttachmentsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string }; Querystring: { limit?: string; offset?: string } }>('/servers/:id/os-volume_attachments', async (req) => {
    const { c, instance } = await authorized(req, deps, 'index');
    const q = req.query as Record<string, unknown>;
    const nonNegative = (name: string): number | undefined => {
      const raw = q[name];
      if (raw === undefined) return undefined;
      const value = Array.isArray(raw) ? raw.at(-1) : raw;
      if (typeof value !== 'string' || !/^[0-9]+$/.test(value)) throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${String(value)}.`);
      return Number(value);
    };
    if (c.version.atLeast('2.75')) {
      for (const key of Object.keys(q)) if (key !== 'limit' && key !== 'offset') throw new BadRequest(`Additional properties are not allowed ('${key}' was unexpected)`);
    }
    const offset = nonNegative('offset') ?? 0;
    const limit = Math.min(nonNegative('limit') ?? deps.settings.maxLimit, deps.settings.maxLimit);
    const bdms = (await deps.repos.bdms.byInstance(instance.uuid)).slice(offset, offset + limit);
    const shown = bdms.filter((b) => b.data.volume_id && (!c.version.atLeast('2.89') || b.data.attachment_id));
    return { volumeAttachments: shown.map((b) => view(b, c)) };
  });

  app.get<{ Params: Params }>('/servers/:id/os-volume_attachments/:volumeId', async (req) => {
    const { c, instance } = await authorized(req, deps, 'show');
    return { volumeAttachment: view(await attached(deps, c, instance, req.params.volumeId), c) };
  });

  app.post<{ Params: { id: string } }>('/servers/:id/os-volume_attachments', async (req) => {
    const c = caller(req, deps);
    const schema = c.version.atLeast('2.79') ? CREATE_279 : c.version.atLeast('2.49') ? CREATE_249 : CREATE;
    const body = validateBody<AttachmentBody>(schema, req.body);
    const { instance } = await authorized(req, deps, 'create');
    const a = body.volumeAttachment;
    const deleteOnTermination = a.delete_on_termination !== undefined && TRUE.has(a.delete_on_termination);
    shelvedNeeds220(c, instance, 'attach_volume');
    let device: string | null;
    try {
      device = await deps.compute.attachVolume(c.ctx, instance, {
        volumeId: a.volumeId, device: a.device ?? null, tag: a.tag ?? null, deleteOnTermination, supportsMultiattach: c.version.atLeast('2.60'),
      }, c.isAdmin);
    } catch (err) {
      throw answerFor(err, 'attach_volume', instance.uuid);
    }
    const out: Record<string, unknown> = { id: a.volumeId, serverId: instance.uuid, volumeId: a.volumeId, device };
    if (c.version.atLeast('2.70')) out['tag'] = a.tag ?? null;
    if (c.version.atLeast('2.79')) out['delete_on_termination'] = deleteOnTermination;
    return { volumeAttachment: out };
  });

  app.put<{ Params: Params }>('/servers/:id/os-volume_attachments/:volumeId', async (req, reply) => {
    const c = caller(req, deps);
    const onlySwap = !c.version.atLeast('2.85');
    const body = validateBody<AttachmentBody>(onlySwap ? UPDATE : UPDATE_285, req.body);
    const instance = await getInstance(deps, c, req.params.id);
    const a = body.volumeAttachment;
    const swap = onlySwap || a.volumeId !== req.params.volumeId;
    if (swap) deps.policy.can(c.ctx, rule('swap'), {});
    else deps.policy.can(c.ctx, rule('update'), { project_id: instance.data.project_id });
    if (!onlySwap) {
      const bdm = await attached(deps, c, instance, req.params.volumeId);
      if (a.id !== undefined && a.id !== req.params.volumeId) throw new BadRequest('The id property is not mutable');
      if (a.serverId !== undefined && a.serverId !== instance.uuid) throw new BadRequest('The serverId property is not mutable');
      if (a.device !== undefined && a.device !== bdm.data.device_name) throw new BadRequest('The device property is not mutable');
      if (a.tag !== undefined && a.tag !== bdm.data.tag) throw new BadRequest('The tag property is not mutable');
      if (a.delete_on_termination !== undefined) await deps.repos.bdms.setDeleteOnTermination(bdm.data.uuid, TRUE.has(a.delete_on_termination));
    }
    if (swap) await swapVolume(deps, c, instance, req.params.volumeId, a.volumeId);
    return reply.code(202).send();
  });

  app.delete<{ Params: Params }>('/servers/:id/os-volume_attachments/:volumeId', async (req, reply) => {
    const { c, instance } = await authorized(req, deps, 'delete');
    const { volumeId } = req.params;
    try {
      await deps.compute.volume.get(c.ctx, volumeId);
    } catch (err) {
      throw answerFor(err, 'detach_volume', instance.uuid);
    }
    shelvedNeeds220(c, instance, 'detach_volume');
    const bdm = await attached(deps, c, instance, volumeId);
    if (bdm.isRoot) throw new BadRequest('Cannot detach a root device volume');
    try {
      await deps.compute.detachVolume(c.ctx, instance, volumeId, c.isAdmin);
    } catch (err) {
      throw answerFor(err, 'detach_volume', instance.uuid);
    }
    return reply.code(202).send();
  });
}
