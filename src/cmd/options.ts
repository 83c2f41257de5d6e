/**
 * Option groups of the launcher, generated from the registry of projects: which services run,
 * the administrator created on first start, where each project is reached, and the passwords of
 * the service users.
 */
import { defineGroup, opt, type OptDef } from '../common/config/index.js';
import { projects } from './projects.js';

const perProject = (help: (service: string, project: string) => string, extra: { secret?: boolean } = {}): Record<string, OptDef<string>> =>
  Object.fromEntries(projects.map((p) => [p.service, opt.str('', help(p.service, p.name), extra)]));

export const servicesGroup = defineGroup('DEFAULT', 'General options', {
  enabled_services: opt.list(
    projects.filter((p) => p.enabledByDefault !== false).map((p) => p.service),
    `Services this cloud runs (nubo up runs all their roles) and the catalog lists, comma separated. Known: ${projects.map((p) => p.service).join(', ')}.`,
  ),
});

export const bootstrapGroup = defineGroup('bootstrap', 'The cloud created on first start', {
  admin_username: opt.str('admin', 'Name of the cloud administrator.'),
  admin_password: opt.str('', 'Password of the administrator. Empty: a random one is generated on first start and kept in <data_dir>/secrets.conf.', { secret: true }),
  admin_project: opt.str('admin', 'Project of the administrator.'),
  guest_image: opt.bool(false,
    'On start, when the Image service has no image named guest_image_name: build the guest image (`nubo image build`: Debian\'s cloud kernel, ' +
    'busybox and dropbear, packages fetched with apt-get download into its cache) once into <data_dir>/guest-image/ and upload it public, ' +
    'with its kernel and initramfs (kernel_id/ramdisk_id), as the cloud\'s admin, so that a new user has an image to boot.'),
  guest_image_name: opt.str('nubo-guest', 'Name of the guest image uploaded with guest_image.'),
});

export const endpointsGroup = defineGroup(
  'endpoints',
  'Where each service is reached (scale-out); empty means <public_url>/<prefix> on this server',
  perProject((service, project) => `Base URL of the ${service} service (${project}), e.g. http://ctl:5000/${service}.`),
);

/** Per-project credentials generated on first start (the keystone_authtoken of each project). */
export const serviceUsersGroup = defineGroup(
  'service_users',
  'Passwords of the service users (generated)',
  perProject((_service, project) => `Password of the ${project} service user.`, { secret: true }),
);

export const launcherGroups = [servicesGroup, bootstrapGroup, endpointsGroup, serviceUsersGroup] as const;
