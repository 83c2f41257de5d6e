/**
 * `keystone-manage bootstrap` (keystone/cmd/bootstrap.py) plus what DevStack adds, run at
 * every start and idempotent: the Default domain, the roles reader <- member <- manager <-
 * admin (each implying the previous) and service, the admin project and user with the admin
 * role on the project and on the system, the `service` project with one user per service
 * (roles service and admin there), and the catalog (a service and its public, internal and
 * admin endpoints per CatalogEntry, URLs kept in sync).
 *
 * Passwords: as upstream, an existing user's password is checked and reset when it no longer
 * matches the configured one (and a disabled bootstrap user is re-enabled).
 */
import type { BootstrapOptions, CatalogEntry } from '../../common/service/bootstrap.js';
import type { RoleRecord } from './assignment/role_backends/base.js';
import { newId } from './db/rows.js';
import type { KeystoneManagers } from './managers.js';

/** The managers bootstrap writes through. */
export type BootstrapManagers = Pick<KeystoneManagers, 'resource' | 'identity' | 'roles' | 'assignments' | 'catalog'>;

export const SERVICE_PROJECT_NAME = 'service';
const INTERFACES = ['public', 'internal', 'admin'] as const;

async function ensureRole(m: BootstrapManagers, name: string): Promise<RoleRecord> {
  return (await m.roles.findGlobalRoleByName(name)) ?? m.roles.createRole({ name });
}

async function ensureImplied(m: BootstrapManagers, prior: RoleRecord, implied: RoleRecord): Promise<void> {
  const existing = await m.roles.listImpliedRoles(prior.id);
  if (!existing.some((r) => r.implied_role_id === implied.id)) await m.roles.createImpliedRole(prior.id, implied.id);
}

async function ensureProject(m: BootstrapManagers, name: string, domainId: string, description: string): Promise<string> {
  const found = await m.resource.findProjectByName(name, domainId);
  if (found) return found.id;
  return (await m.resource.createProject(newId(), { name, domain_id: domainId, parent_id: domainId, description })).id;
}

/** Creates the user, or re-enables it and resets its password when they differ from the configuration. */
async function ensureUser(m: BootstrapManagers, name: string, password: string, domainId: string, generated = false): Promise<string> {
  const user = await m.identity.findUserByName(name, domainId);
  if (!user) {
    const created = await m.identity.createUser({ name, password, domain_id: domainId, enabled: true }, { machineSecret: generated });
    await m.identity.rememberPassword(created.id, password);
    return created.id;
  }
  const update: Record<string, unknown> = {};
  if (!user.enabled) update.enabled = true;
  if (!(await m.identity.passwordMatches(user.id, password))) update.password = password;
  if (Object.keys(update).length > 0) await m.identity.updateUser(user.id, update, { machineSecret: generated });
  if (update.password !== undefined) await m.identity.rememberPassword(user.id, password);
  return user.id;
}

async function ensureCatalogEntry(m: BootstrapManagers, entry: CatalogEntry, region: string): Promise<void> {
  const services = await m.catalog.listServices();
  let service = services.find((s) => s.type === entry.serviceType && s.name === entry.serviceName)
    ?? services.find((s) => s.type === entry.serviceType);
  if (!service) {
    service = await m.catalog.createService({ type: entry.serviceType, name: entry.serviceName, description: entry.description, enabled: true });
  } else if (service.name !== entry.serviceName || service.description !== entry.description || !service.enabled) {
    service = await m.catalog.updateService(service.id, { name: entry.serviceName, description: entry.description, enabled: true });
  }
  const endpoints = (await m.catalog.listEndpoints()).filter((e) => e.service_id === service.id);
  for (const iface of INTERFACES) {
    const ep = endpoints.find((e) => e.interface === iface && e.region_id === region);
    if (!ep) {
      await m.catalog.createEndpoint({ service_id: service.id, interface: iface, region_id: region, url: entry.url, enabled: true });
    } else if (ep.url !== entry.url || !ep.enabled) {
      await m.catalog.updateEndpoint(ep.id, { url: entry.url, enabled: true });
    }
  }
}

export async function bootstrapIdentity(m: BootstrapManagers, opts: BootstrapOptions, defaultDomainId = 'default'): Promise<void> {
  if (!(await m.resource.findDomain(defaultDomainId))) {
    await m.resource.createDomain(defaultDomainId, { name: 'Default', description: 'The default domain', enabled: true });
  }

  const reader = await ensureRole(m, 'reader');
  const member = await ensureRole(m, 'member');
  const manager = await ensureRole(m, 'manager');
  const admin = await ensureRole(m, 'admin');
  const service = await ensureRole(m, 'service');
  await ensureImplied(m, member, reader);
  await ensureImplied(m, manager, member);
  await ensureImplied(m, admin, manager);

  const adminProject = await ensureProject(m, opts.adminProjectName, defaultDomainId, 'Bootstrap project for initializing the cloud.');
  const serviceProject = await ensureProject(m, SERVICE_PROJECT_NAME, defaultDomainId, 'Shared service project');
  // The users together: their password hashes (the slow part of a first start) run in parallel
  // on the thread pool.
  const [adminUser, ...serviceUserIds] = await Promise.all([
    ensureUser(m, opts.adminUsername, opts.adminPassword, defaultDomainId, opts.adminPasswordGenerated),
    ...opts.serviceUsers.map((su) => ensureUser(m, su.name, su.password, defaultDomainId, su.generated)),
  ]);
  await m.assignments.createGrant({ roleId: admin.id, userId: adminUser!, projectId: adminProject });
  await m.assignments.createSystemGrant({ userId: adminUser! }, admin.id);

  for (const userId of serviceUserIds) {
    await m.assignments.createGrant({ roleId: service.id, userId, projectId: serviceProject });
    await m.assignments.createGrant({ roleId: admin.id, userId, projectId: serviceProject });
  }

  if (!(await m.catalog.findRegion(opts.region))) await m.catalog.createRegion({ id: opts.region, description: '' });
  for (const entry of opts.catalog) await ensureCatalogEntry(m, entry, opts.region);
}
