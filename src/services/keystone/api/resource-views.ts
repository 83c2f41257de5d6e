/** API bodies of projects, domains and roles for the token side's routes, from the resource and role managers. */
import type { RoleManager } from '../assignment/roles.js';
import type { ResourceManager } from '../resource/core.js';
import type { ResourceViews } from './auth-deps.js';

export function resourceViews(m: { resource: ResourceManager; roles: RoleManager }, baseUrl: string): ResourceViews {
  return {
    async project(p) {
      const ref = (await m.resource.findProject(p.id)) ?? { id: p.id, name: p.name, domain_id: p.domainId, enabled: p.enabled, parent_id: p.parentId, is_domain: p.isDomain };
      return { ...ref, links: { self: `${baseUrl}/v3/projects/${p.id}` } };
    },
    async domain(d) {
      const ref = (await m.resource.findDomain(d.id)) ?? { id: d.id, name: d.name, enabled: d.enabled };
      return { ...ref, links: { self: `${baseUrl}/v3/domains/${d.id}` } };
    },
    async role(roleId) {
      return m.roles.findRole(roleId);
    },
    async globalRoleByName(name) {
      const r = await m.roles.findGlobalRoleByName(name);
      return r ? { id: r.id, name: r.name, domainId: r.domain_id } : undefined;
    },
  };
}
