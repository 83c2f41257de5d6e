/**
 * Encryption types of volume types (cinder/api/contrib/volume_type_encryption.py, admin):
 * GET /types/{id}/encryption (the row, or {} when none), create (the given specs back; 400 when
 * the type has volumes or one exists), update (PUT .../encryption/{encryption_id}), show one
 * item, delete (202). Nubo stores and returns them; volumes are not encrypted.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { EncryptionFields } from '../db/encryption-types.js';
import { Invalid } from '../errors.js';
import { VolumeTypeEncryptionExists, VolumeTypeEncryptionNotFound } from '../resource-errors.js';
import type { ApiDeps } from './deps.js';
import { bodyOf, caller } from './request.js';
import { cinderTime } from './views.js';

type Params = { Params: { project_id?: string; type_id: string; key?: string } };

const invalid = (field: string, v: unknown, why: string) => new BadRequest(`Invalid input for field/attribute ${field}. Value: ${JSON.stringify(v)}. ${why}`);

/** The schema of create (`required`: provider and control_location) and update (nothing required). */
function specsOf(body: unknown, required: boolean): EncryptionFields {
  const e = bodyOf(body, 'encryption');
  const out: EncryptionFields = {};
  if (e['provider'] !== undefined) {
    if (typeof e['provider'] !== 'string' || e['provider'].length > 255) throw invalid('provider', e['provider'], "is not of type 'string'");
    out.provider = e['provider'];
  } else if (required) throw new BadRequest("Invalid input for field/attribute encryption. 'provider' is a required property");
  if (e['control_location'] !== undefined) {
    if (e['control_location'] !== 'front-end' && e['control_location'] !== 'back-end') throw invalid('control_location', e['control_location'], "is not one of ['front-end', 'back-end']");
    out.control_location = e['control_location'];
  } else if (required) throw new BadRequest("Invalid input for field/attribute encryption. 'control_location' is a required property");
  if (e['cipher'] !== undefined) {
    if (e['cipher'] !== null && (typeof e['cipher'] !== 'string' || e['cipher'].length > 255)) throw invalid('cipher', e['cipher'], "is not of type 'string', 'null'");
    out.cipher = e['cipher'] as string | null;
  }
  if (e['key_size'] !== undefined) {
    const raw = e['key_size'];
    const n = typeof raw === 'string' && /^[0-9]+$/.test(raw) ? Number(raw) : raw;
    if (n !== null && (typeof n !== 'number' || !Number.isInteger(n) || n < 0)) throw invalid('key_size', raw, "is not valid under any of the given schemas");
    out.key_size = n as number | null;
  }
  return out;
}

export function encryptionTypesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const row = async (typeId: string) => {
    await deps.types.get(typeId);
    return deps.repos.encryption.ofType(typeId);
  };

  app.get<Params>('/types/:type_id/encryption', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_type_encryption:get');
    const e = await row(req.params.type_id);
    if (!e) return {};
    return {
      volume_type_id: e.volume_type_id, encryption_id: e.encryption_id, provider: e.provider, cipher: e.cipher, key_size: e.key_size,
      control_location: e.control_location, created_at: cinderTime(e.created_at), updated_at: cinderTime(e.updated_at), deleted: false, deleted_at: null,
    };
  });

  app.get<Params>('/types/:type_id/encryption/:key', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_type_encryption:get');
    const e = await row(req.params.type_id);
    const key = req.params.key!;
    const value = e ? (e as unknown as Record<string, unknown>)[key] : undefined;
    if (!e || value === undefined || key === 'deleted_at') throw new VolumeTypeEncryptionNotFound(req.params.type_id);
    return { [key]: value };
  });

  app.post<Params>('/types/:type_id/encryption', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_type_encryption:create');
    const specs = specsOf(req.body, true);
    const typeId = req.params.type_id;
    if (await deps.repos.types.inUse(typeId)) throw new Invalid('Cannot create encryption specs. Volume type in use.');
    await deps.types.get(typeId);
    const encryptionId = randomUUID();
    const created = await deps.repos.encryption.create({
      encryption_id: encryptionId, volume_type_id: typeId, provider: specs.provider!, cipher: specs.cipher ?? null, key_size: specs.key_size ?? null,
      control_location: specs.control_location!,
    });
    if (!created) throw new VolumeTypeEncryptionExists(typeId);
    // the body back with the ids volume_type_encryption_create adds to it
    return { encryption: { ...(req.body as { encryption: Record<string, unknown> }).encryption, ...specs, volume_type_id: typeId, encryption_id: encryptionId } };
  });

  app.put<Params>('/types/:type_id/encryption/:key', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_type_encryption:update');
    const specs = specsOf(req.body, false);
    const typeId = req.params.type_id;
    await deps.types.get(typeId);
    if (await deps.repos.types.inUse(typeId)) throw new Invalid('Cannot update encryption specs. Volume type in use.');
    if (!(await deps.repos.encryption.ofType(typeId))) throw new VolumeTypeEncryptionNotFound(typeId);
    await deps.repos.encryption.update(typeId, specs);
    return { encryption: { ...(req.body as { encryption: Record<string, unknown> }).encryption, ...specs } };
  });

  app.delete<Params>('/types/:type_id/encryption/:key', async (req, reply) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:volume_type_encryption:delete');
    const typeId = req.params.type_id;
    if (await deps.repos.types.inUse(typeId)) throw new Invalid('Cannot delete encryption specs. Volume type in use.');
    if (!(await deps.repos.encryption.ofType(typeId))) throw new VolumeTypeEncryptionNotFound(typeId);
    await deps.repos.encryption.softDelete(typeId);
    return reply.code(202).send();
  });
}
