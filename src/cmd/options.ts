/** Option groups of the launcher: admin credentials and per-service endpoint URLs. */
import { defineGroup, opt } from '../common/config/index.js';

export const bootstrapGroup = defineGroup('bootstrap', 'The cloud created on first start', {
  admin_username: opt.str('admin', 'Name of the cloud administrator.'),
  admin_password: opt.str('', 'Password of the administrator. Empty: a random one is generated on first start and kept in <data_dir>/secrets.conf.', { secret: true }),
  admin_project: opt.str('admin', 'Project of the administrator.'),
});

export const endpointsGroup = defineGroup('endpoints', 'Where each service is reached (scale-out); empty means <public_url>/<prefix> on this server', {
  identity: opt.str('', 'Base URL of the identity service, e.g. http://ctl:5000/identity.'),
  image: opt.str('', 'Base URL of the image service.'),
  network: opt.str('', 'Base URL of the network service.'),
});

/** Per-service credentials generated on first start (the keystone_authtoken of each service). */
export const serviceUsersGroup = defineGroup('service_users', 'Passwords of the service users (generated)', {
  identity: opt.str('', 'Password of the keystone service user.', { secret: true }),
  image: opt.str('', 'Password of the glance service user.', { secret: true }),
  network: opt.str('', 'Password of the neutron service user.', { secret: true }),
});

export const launcherGroups = [bootstrapGroup, endpointsGroup, serviceUsersGroup] as const;
