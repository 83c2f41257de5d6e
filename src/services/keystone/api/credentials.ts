/**
 * /v3/credentials (keystone/api/credentials.py) and the EC2 credentials of a user
 * (/v3/users/{id}/credentials/OS-EC2, keystone/api/users.py). An ec2 credential's id is the
 * sha256 of its access key; a delegated token (trust, application credential) only sees the
 * credentials of its project.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../common/context.js';
import { displayValue } from '../../../common/display.js';
import { DEFAULT_MAX_JSON_DEPTH, parseJsonText } from '../../../common/http/json-body.js';
import { Unauthorized } from '../../../common/errors.js';
import { type CredentialRecord, hashAccessKey } from '../credential/core.js';
import { ForbiddenAction, MissingAttribute, ValidationError } from '../errors.js';
import {
  authorize, body, buildHints, filterValues, orUndefined, params, type ResourceDeps, requireMatchingId, v3Url, wrapCollection, wrapMember,
} from './resource-common.js';

const credentialProperties = {
  blob: { type: 'string' }, project_id: { type: ['string', 'null'] }, type: { type: 'string' }, user_id: { type: 'string' },
};
const createSchema = {
  type: 'object',
  properties: {
    credential: {
      type: 'object',
      properties: { id: { type: 'string' }, ...credentialProperties },
      additionalProperties: true,
      required: ['blob', 'type', 'user_id'],
      if: { properties: { type: { const: 'ec2' } } },
      then: { required: ['blob', 'type', 'user_id', 'project_id'] },
    },
  },
  required: ['credential'],
};
const updateSchema = {
  type: 'object',
  properties: { credential: { type: 'object', properties: credentialProperties, additionalProperties: true, minProperties: 1 } },
  required: ['credential'],
};

const hex = (): string => randomUUID().replaceAll('-', '');

function isDelegated(ctx: RequestContext): boolean {
  return Boolean(ctx.auth?.trustId || ctx.auth?.applicationCredentialId);
}

/** _check_credential_project_scope. */
function checkProjectScope(ctx: RequestContext, credential: { project_id?: unknown }): void {
  if (!isDelegated(ctx)) return;
  if ((credential.project_id ?? null) !== (ctx.projectId ?? null)) {
    throw new ForbiddenAction('Credential project does not match the project scope of the delegated token');
  }
}

/** _check_delegation_for_ec2: a delegated token only reaches EC2 credentials of its project. */
function checkEc2Scope(ctx: RequestContext, projectId: string | null): void {
  if (isDelegated(ctx) && projectId !== (ctx.projectId ?? null)) {
    throw new ForbiddenAction('EC2 credential project does not match the project scope of the delegated token');
  }
}

/** _validate_blob_json for ec2 credentials. */
function ec2Blob(ref: Record<string, unknown>): Record<string, unknown> {
  let blob: unknown;
  try {
    // The blob is JSON inside the JSON body: parsed with the same depth and key limits.
    blob = parseJsonText(String(ref.blob), DEFAULT_MAX_JSON_DEPTH);
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new ValidationError('Invalid blob in credential');
  }
  if (!blob || typeof blob !== 'object' || Array.isArray(blob) || Object.keys(blob).length === 0) throw new MissingAttribute('blob', 'credential');
  if ((blob as Record<string, unknown>).access == null) throw new MissingAttribute('access', 'credential');
  return blob as Record<string, unknown>;
}

export function registerCredentialRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;
  const credTarget = async (req: FastifyRequest): Promise<Record<string, unknown>> => {
    const credential = await orUndefined(() => m.credentials.getCredential(params(req).credential_id!));
    return credential ? { credential } : {};
  };

  app.get('/v3/credentials', async (req) => {
    const filters = ['user_id', 'type'];
    const target = req.ctx.systemScope ? undefined : { credential: { user_id: req.ctx.userId } };
    authorize(deps, req, 'identity:list_credentials', { filters: filterValues(req, filters), ...(target ? { target } : {}) });
    const hints = buildHints(req, filters);
    const visible: CredentialRecord[] = [];
    for (const ref of await m.credentials.listCredentials(hints)) {
      try {
        authorize(deps, req, 'identity:get_credential', { target: { credential: ref } });
        checkProjectScope(req.ctx, ref);
        visible.push(ref);
      } catch (err) {
        if ((err as { status?: number }).status !== 403) throw err;
      }
    }
    return wrapCollection(deps, req, 'credentials', visible, hints);
  });

  app.post('/v3/credentials', { schema: { body: createSchema } }, async (req, reply) => {
    const credential = { ...(body(req).credential as Record<string, unknown>) };
    authorize(deps, req, 'identity:create_credential', { target: { credential } });
    checkProjectScope(req.ctx, credential);
    let id = hex();
    if (String(credential.type ?? '').toLowerCase() === 'ec2') {
      const blob = ec2Blob(credential);
      id = hashAccessKey(displayValue(blob.access));
      if (req.ctx.auth?.trustId) blob.trust_id = req.ctx.auth.trustId;
      if (req.ctx.auth?.applicationCredentialId) blob.app_cred_id = req.ctx.auth.applicationCredentialId;
      if (req.ctx.auth?.trustId || req.ctx.auth?.applicationCredentialId) credential.blob = JSON.stringify(blob);
    }
    delete credential.id;
    reply.code(201);
    return wrapMember(deps, 'credentials', 'credential', await m.credentials.createCredential(credential, id));
  });

  app.get('/v3/credentials/:credential_id', async (req) => {
    authorize(deps, req, 'identity:get_credential', { target: await credTarget(req) });
    const credential = await m.credentials.getCredential(params(req).credential_id!);
    checkProjectScope(req.ctx, credential);
    return wrapMember(deps, 'credentials', 'credential', credential);
  });

  app.patch('/v3/credentials/:credential_id', {
    schema: { body: updateSchema },
    // Upstream enforces before it validates the body.
    preValidation: async (req) => { authorize(deps, req, 'identity:update_credential', { target: await credTarget(req) }); },
  }, async (req) => {
    const current = await m.credentials.getCredential(params(req).credential_id!);
    checkProjectScope(req.ctx, current);
    const changes = body(req).credential as Record<string, unknown>;
    if (String(current.type).toLowerCase() === 'ec2' && 'blob' in changes) {
      const oldBlob = JSON.parse(current.blob) as Record<string, unknown>;
      const newBlob = ec2Blob(changes);
      for (const key of ['trust_id', 'app_cred_id', 'access_token_id', 'access_id']) {
        if ((oldBlob[key] ?? null) !== (newBlob[key] ?? null)) throw new ValidationError(`${key} can not be updated for credential`);
      }
    }
    requireMatchingId(changes, params(req).credential_id);
    authorize(deps, req, 'identity:update_credential', { target: { credential: { ...current, ...changes } } });
    return wrapMember(deps, 'credentials', 'credential', await m.credentials.updateCredential(params(req).credential_id!, changes));
  });

  app.delete('/v3/credentials/:credential_id', async (req, reply) => {
    authorize(deps, req, 'identity:delete_credential', { target: await credTarget(req) });
    const credential = await m.credentials.getCredential(params(req).credential_id!);
    checkProjectScope(req.ctx, credential);
    await m.credentials.deleteCredential(credential.id);
    reply.code(204).send();
  });

  // EC2 credentials of a user.
  const ec2View = (c: CredentialRecord) => {
    const blob = JSON.parse(c.blob) as Record<string, unknown>;
    return {
      user_id: c.user_id, tenant_id: c.project_id, access: blob.access, secret: blob.secret, trust_id: blob.trust_id ?? null,
      links: { self: v3Url(deps, `users/${c.user_id}/credentials/OS-EC2/${displayValue(blob.access)}`) },
    };
  };
  const ec2Credential = async (accessKey: string): Promise<CredentialRecord> => {
    const c = await m.credentials.findCredential(hashAccessKey(accessKey));
    if (!c || c.type !== 'ec2') throw new Unauthorized('EC2 access key not found.');
    return c;
  };

  app.get('/v3/users/:user_id/credentials/OS-EC2', async (req) => {
    authorize(deps, req, 'identity:ec2_list_credentials');
    await m.identity.getUser(params(req).user_id!);
    const refs = (await m.credentials.listCredentialsForUser(params(req).user_id!, 'ec2'))
      .filter((c) => !isDelegated(req.ctx) || c.project_id === req.ctx.projectId);
    return { credentials: refs.map(ec2View), links: { self: v3Url(deps, `users/${params(req).user_id}/credentials/OS-EC2`), previous: null, next: null } };
  });

  app.post('/v3/users/:user_id/credentials/OS-EC2', async (req, reply) => {
    const userId = params(req).user_id!;
    authorize(deps, req, 'identity:ec2_create_credential', { target: { credential: { user_id: userId } } });
    await m.identity.getUser(userId);
    const tenantId = (body(req) as { tenant_id?: string }).tenant_id;
    await m.resource.getProject(displayValue(tenantId));
    checkEc2Scope(req.ctx, tenantId ?? null);
    const blob = { access: hex(), secret: hex(), trust_id: req.ctx.auth?.trustId ?? null };
    const cred = await m.credentials.createCredential(
      { user_id: userId, project_id: tenantId, blob: JSON.stringify(blob), type: 'ec2' }, hashAccessKey(blob.access),
    );
    reply.code(201);
    return { credential: ec2View(cred) };
  });

  app.get('/v3/users/:user_id/credentials/OS-EC2/:credential_id', async (req) => {
    // As upstream, the target lookup runs before the policy check and a missing credential is a 404.
    const cred = await m.credentials.getCredential(hashAccessKey(params(req).credential_id!));
    authorize(deps, req, 'identity:ec2_get_credential', { target: { credential: cred } });
    await m.identity.getUser(params(req).user_id!);
    const c = await ec2Credential(params(req).credential_id!);
    checkEc2Scope(req.ctx, c.project_id);
    return { credential: ec2View(c) };
  });

  app.delete('/v3/users/:user_id/credentials/OS-EC2/:credential_id', async (req, reply) => {
    const cred = await m.credentials.getCredential(hashAccessKey(params(req).credential_id!));
    authorize(deps, req, 'identity:ec2_delete_credential', { target: { credential: cred } });
    await m.identity.getUser(params(req).user_id!);
    const c = await ec2Credential(params(req).credential_id!);
    checkEc2Scope(req.ctx, c.project_id);
    await m.credentials.deleteCredential(c.id);
    reply.code(204).send();
  });
}
