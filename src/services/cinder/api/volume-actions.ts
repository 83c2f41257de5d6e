/**
 * POST /volumes/{id}/action (cinder/api/contrib/volume_actions.py and admin_actions.py):
 * os-extend (202; in-use volumes from 3.42), os-reset_status (admin, 202), os-set_bootable
 * (200), os-update_readonly_flag (202), os-force_delete (admin, 202), and the attach actions
 * before the attachments API: os-reserve, os-unreserve, os-begin_detaching, os-roll_detaching,
 * os-attach, os-detach (202); the Glance ones of volume-image-actions.ts. Any other action is a 400 "There is no such action".
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ApiDeps } from './deps.js';
import { volumeImageAction } from './volume-image-actions.js';
import { boolParam, caller, sizeOf, uuidOf } from './request.js';

type IdParams = { Params: { project_id?: string; id: string } };

function actionOf(body: unknown): [string, unknown] {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) {
    throw new BadRequest('Malformed request body');
  }
  const entries = Object.entries(body as Record<string, unknown>);
  if (entries.length > 1) throw new BadRequest('Malformed request body');
  return entries[0]!;
}

function objectArg(action: string, v: unknown, allowNull = false): Record<string, unknown> {
  if ((v === null || v === undefined) && allowNull) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`Invalid input for field/attribute ${action}. Value: ${JSON.stringify(v)}. ${JSON.stringify(v)} is not of type 'object'`);
  return v as Record<string, unknown>;
}

export function volumeActionsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<IdParams>('/volumes/:id/action', async (req, reply) => {
    const c = caller(req, deps);
    const [action, raw] = actionOf(req.body);
    const v = await deps.volumes.get(c.ctx, req.params.id, c.isAdmin);
    const target = { project_id: v.project_id };
    switch (action) {
      case 'os-extend': {
        const arg = objectArg(action, raw);
        if (arg['new_size'] === undefined) throw new BadRequest("Invalid input for field/attribute os-extend. Value: {}. 'new_size' is a required property");
        const newSize = sizeOf('new_size', arg['new_size']);
        const inUse = v.status === 'in-use';
        deps.policy.authorize(c.ctx, inUse ? 'volume:extend_attached_volume' : 'volume:extend', target);
        await deps.volumes.extend(c.ctx, v, newSize, c.version.atLeast('3.42'));
        return reply.code(202).send();
      }
      case 'os-reset_status': {
        deps.policy.authorize(c.ctx, 'volume_extension:volume_admin_actions:reset_status', target);
        const arg = objectArg(action, raw);
        const fields: { status?: string; attach_status?: string; migration_status?: string } = {};
        for (const k of ['status', 'attach_status', 'migration_status'] as const) {
          const x = arg[k];
          if (x === undefined) continue;
          if (typeof x !== 'string') throw new BadRequest(`Invalid input for field/attribute ${k}. Value: ${JSON.stringify(x)}. ${JSON.stringify(x)} is not of type 'string'`);
          fields[k] = x.toLowerCase();
        }
        const unknown = Object.keys(arg).filter((k) => !['status', 'attach_status', 'migration_status'].includes(k));
        if (unknown.length > 0) throw new BadRequest(`Invalid input for field/attribute os-reset_status. Additional properties are not allowed (${unknown.map((k) => `'${k}'`).join(', ')} was unexpected)`);
        if (Object.keys(fields).length === 0) throw new BadRequest('Must specify \'status\', \'attach_status\' or \'migration_status\' for update.');
        await deps.volumes.resetStatus(v, fields);
        return reply.code(202).send();
      }
      case 'os-set_bootable': {
        deps.policy.authorize(c.ctx, 'volume:update', target);
        const arg = objectArg(action, raw);
        if (arg['bootable'] === undefined) throw new BadRequest("Invalid input for field/attribute os-set_bootable. Value: {}. 'bootable' is a required property");
        await deps.volumes.setBootable(v, boolParam('bootable', arg['bootable']));
        return reply.code(200).send();
      }
      case 'os-update_readonly_flag': {
        deps.policy.authorize(c.ctx, 'volume:update_readonly_flag', target);
        const arg = objectArg(action, raw);
        if (arg['readonly'] === undefined) throw new BadRequest("Invalid input for field/attribute os-update_readonly_flag. Value: {}. 'readonly' is a required property");
        await deps.volumes.updateReadonlyFlag(v, boolParam('readonly', arg['readonly']));
        return reply.code(202).send();
      }
      case 'os-force_delete': {
        deps.policy.authorize(c.ctx, 'volume_extension:volume_admin_actions:force_delete', target);
        await deps.volumes.delete(c.ctx, v, { cascade: false, force: true });
        return reply.code(202).send();
      }
      case 'os-reserve': case 'os-unreserve': case 'os-begin_detaching': case 'os-roll_detaching': {
        const rule = `volume_extension:volume_actions:${action.slice(3)}`;
        deps.policy.authorize(c.ctx, rule, target);
        const legacy = deps.legacyAttach;
        if (action === 'os-reserve') await legacy.reserve(v);
        else if (action === 'os-unreserve') await legacy.unreserve(v);
        else if (action === 'os-begin_detaching') await legacy.beginDetaching(v);
        else await legacy.rollDetaching(v);
        return reply.code(202).send();
      }
      case 'os-attach': {
        deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:attach', target);
        const arg = objectArg(action, raw);
        const instance = arg['instance_uuid'] === undefined || arg['instance_uuid'] === null ? null : uuidOf('instance_uuid', arg['instance_uuid']);
        const hostName = typeof arg['host_name'] === 'string' ? arg['host_name'] : null;
        if (instance === null && hostName === null) throw new BadRequest('Invalid request to attach volume to an invalid target');
        const mountpoint = arg['mountpoint'];
        if (typeof mountpoint !== 'string' || mountpoint === '') throw new BadRequest("Invalid input for field/attribute os-attach. 'mountpoint' is a required property");
        const mode = arg['mode'] ?? 'rw';
        if (mode !== 'rw' && mode !== 'ro') throw new BadRequest('Invalid request to attach volume with an invalid mode. Attaching mode should be \'rw\' or \'ro\'');
        await deps.legacyAttach.attach(v, { instanceUuid: instance, hostName, mountpoint, mode });
        return reply.code(202).send();
      }
      case 'os-detach': {
        deps.policy.authorize(c.ctx, 'volume_extension:volume_actions:detach', target);
        const arg = objectArg(action, raw, true);
        const attachmentId = arg['attachment_id'] === undefined || arg['attachment_id'] === null ? null : uuidOf('attachment_id', arg['attachment_id']);
        await deps.legacyAttach.detach(v, attachmentId);
        return reply.code(202).send();
      }
      default: {
        const done = await volumeImageAction(deps, c, v, action, raw);
        if (done) return reply.code(done.code).send(done.body);
        throw new BadRequest(`There is no such action: ${action}`);
      }
    }
  });
}
