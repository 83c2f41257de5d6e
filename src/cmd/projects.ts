/**
 * The registry of projects: every OpenStack project Nubo can run. The launcher, the catalog,
 * the service users, `enabled_services`, `nubo serve ROLE` and the configuration reference are
 * all derived from this list, so adding a project is its folder plus one line here.
 * Identity comes first: the other projects need its token validator and catalog.
 */
import { OperatorError } from '../common/errors.js';
import type { ProjectDef, RoleDef } from '../common/service/project.js';
import { cinder } from '../services/cinder/index.js';
import { glance } from '../services/glance/index.js';
import { keystone } from '../services/keystone/index.js';
import { neutron } from '../services/neutron/index.js';
import { nova } from '../services/nova/index.js';
import { placement } from '../services/placement/index.js';
import { swift } from '../services/swift/index.js';

export const projects: readonly ProjectDef[] = [keystone, glance, neutron, placement, nova, cinder, swift];

/** The project that validates tokens and bootstraps the cloud. */
export const identityProject: ProjectDef = keystone;

export interface RoleRef {
  project: ProjectDef;
  role: RoleDef;
}

export const allRoles: readonly RoleRef[] = projects.flatMap((project) => project.roles.map((role) => ({ project, role })));

export function projectByService(name: string): ProjectDef | undefined {
  return projects.find((p) => p.service === name);
}

/** A project by its `enabled_services` name; OperatorError naming the known ones otherwise. */
export function requireProject(name: string): ProjectDef {
  const found = projectByService(name);
  if (!found) throw new OperatorError(`unknown service "${name}"; known: ${projects.map((p) => p.service).join(', ')}`);
  return found;
}

/** A role by its `nubo serve` name; OperatorError naming the known ones otherwise. */
export function requireRole(name: string): RoleRef {
  const found = allRoles.find((r) => r.role.name === name);
  if (!found) throw new OperatorError(`unknown role "${name}"; known: ${allRoles.map((r) => r.role.name).join(', ')}`);
  return found;
}
