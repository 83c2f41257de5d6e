/**
 * Checks shared by the trust and application credential APIs (keystone/api/users.py and
 * trusts.py): what delegated tokens may not do, and roles given by id or by name.
 */
import type { FastifyRequest } from 'fastify';
import { ForbiddenAction, RoleNotFound } from '../errors.js';
import { SecurityForbidden } from '../auth/errors.js';
import type { AuthApiDeps } from './auth-deps.js';

/**
 * A token obtained with a restricted application credential may not create or delete
 * application credentials or trusts (`_check_unrestricted_application_credential`).
 */
export async function requireUnrestricted(req: FastifyRequest, deps: AuthApiDeps, what: string): Promise<void> {
  const auth = req.ctx.auth;
  if (!auth || !auth.methods.includes('application_credential') || !auth.applicationCredentialId) return;
  const appCred = await deps.appCreds.get(auth.applicationCredentialId);
  if (!appCred.unrestricted) {
    throw new ForbiddenAction(`Using method 'application_credential' is not allowed for managing ${what}`);
  }
}

/** Trust-scoped tokens cannot manage application credentials (_block_delegated_token_app_creds). */
export function blockTrustToken(req: FastifyRequest): void {
  if (req.ctx.auth?.trustId) throw new SecurityForbidden('Cannot manage application credentials with a token issued via delegation.');
}

/**
 * The role ids the caller's project-scoped token has now (upstream computes token roles at
 * validation): the user's roles on the project, or for an application credential token the
 * credential's roles the user still has.
 */
export async function currentTokenRoles(req: FastifyRequest, deps: AuthApiDeps): Promise<string[]> {
  const auth = req.ctx.auth;
  if (!auth?.projectId) return [...(auth?.roleIds ?? [])];
  const current = (await deps.providers.rolesOnProject(auth.userId, auth.projectId)).filter((r) => r.domainId === null).map((r) => r.id);
  if (!auth.applicationCredentialId) return current;
  const appCred = await deps.appCreds.get(auth.applicationCredentialId);
  return appCred.roleIds.filter((id) => current.includes(id));
}

/** `[{id}|{name}]` to role ids; a name is a global role's (get_unique_role_by_name). */
export async function roleIdsOf(roles: Array<{ id?: string; name?: string }>, deps: AuthApiDeps): Promise<string[]> {
  const ids: string[] = [];
  for (const r of roles) {
    if (r.id) {
      ids.push(r.id);
      continue;
    }
    const role = await deps.views.globalRoleByName(r.name ?? '');
    if (!role) throw new RoleNotFound(r.name ?? '');
    ids.push(role.id);
  }
  return ids;
}

/** Role bodies for ids, skipping roles deleted since (as upstream's _normalize_trust_roles). */
export async function roleBodies(ids: readonly string[], deps: AuthApiDeps, links: boolean): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const id of ids) {
    const role = await deps.views.role(id);
    if (!role) continue;
    out.push(links ? { ...role, links: { self: `${deps.baseUrl}/v3/roles/${id}` } } : role);
  }
  return out;
}
