/**
 * rebuild (nova's servers.py _action_rebuild): the server is rebuilt from an image on its host,
 * keeping its id, ports and flavor. The answer is 202 with the server as it is now (REBUILD),
 * its new admin password and, from 2.57, its user data; before 2.75 without the extended
 * attributes, from 2.75 with everything GET shows.
 */
import { BadRequest, Forbidden } from '../../../../common/errors.js';
import type { RebuildRequest } from '../../compute/api-lifecycle.js';
import { generatePassword } from '../../compute/passwords.js';
import { ImageNotFound, KeypairNotFound, OverQuota } from '../../errors.js';
import { REBUILD_SERVER_V20 } from '../schemas/legacy-v20.js';
import { rebuildServerSchema } from '../schemas/servers.js';
import { isBase64 } from '../servers-create.js';
import { singleViewOptions } from '../servers.js';
import { validateBody } from '../validation.js';
import { detailView } from '../views/servers.js';
import type { ServerAction } from './index.js';

interface RebuildBody {
  imageRef: string;
  name?: string;
  adminPass?: string;
  metadata?: Record<string, string>;
  preserve_ephemeral?: boolean | string;
  'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
  accessIPv4?: string;
  accessIPv6?: string;
  personality?: unknown[];
  description?: string | null;
  key_name?: string | null;
  user_data?: string | null;
  trusted_image_certificates?: string[] | null;
  hostname?: string;
}

const TRUE = new Set([true, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes']);
/** Keys the rebuild answer leaves out before 2.75 (show() with the extensions off). */
const BEFORE_275 = /^(OS-EXT-AZ|OS-EXT-SRV-ATTR|OS-EXT-STS|OS-SRV-USG|os-extended-volumes):/;

function toRequest(b: RebuildBody, version: { atLeast(v: string): boolean }): RebuildRequest {
  const req: RebuildRequest = { imageRef: b.imageRef, adminPassword: b.adminPass ?? generatePassword(), preserveEphemeral: TRUE.has(b.preserve_ephemeral ?? false) };
  if (b.name !== undefined) req.name = b.name.trim();
  if (b.description !== undefined) req.description = b.description;
  if (b.metadata !== undefined) req.metadata = b.metadata;
  if (b['OS-DCF:diskConfig'] !== undefined) req.autoDiskConfig = b['OS-DCF:diskConfig'] === 'AUTO';
  if (b.accessIPv4 !== undefined) req.accessIPv4 = b.accessIPv4;
  if (b.accessIPv6 !== undefined) req.accessIPv6 = b.accessIPv6;
  if (version.atLeast('2.54') && 'key_name' in b) req.keyName = b.key_name ?? null;
  if (version.atLeast('2.57') && 'user_data' in b) {
    if (b.user_data && !isBase64(b.user_data)) throw new BadRequest("Invalid input for field/attribute user_data. Value: is not a 'base64' string");
    req.userData = b.user_data ?? null;
  }
  if (version.atLeast('2.63') && 'trusted_image_certificates' in b) req.trustedCerts = b.trusted_image_certificates ?? null;
  if (version.atLeast('2.90') && b.hostname !== undefined) req.hostname = b.hostname;
  return req;
}

export const rebuildActions: ServerAction[] = [{
  name: 'rebuild',
  async run({ deps, caller: c, instance, body, reply }) {
    const b = validateBody<RebuildBody>(rebuildServerSchema(c.version), body, REBUILD_SERVER_V20);
    const req = toRequest(b, c.version);
    const target = { user_id: instance.data.user_id, project_id: instance.data.project_id };
    deps.policy.can(c.ctx, 'os_compute_api:servers:rebuild', target);
    if (req.trustedCerts !== undefined) deps.policy.can(c.ctx, 'os_compute_api:servers:rebuild:trusted_certs', target);
    try {
      await deps.compute.lifecycle.rebuild(c.ctx, instance, req, c.isAdmin);
    } catch (err) {
      if (err instanceof ImageNotFound) throw new BadRequest('Cannot find image for rebuild');
      if (err instanceof KeypairNotFound) throw new BadRequest('Invalid key_name provided.');
      if (err instanceof OverQuota) throw new Forbidden(err.message);
      throw err;
    }
    const rebuilt = await deps.repos.instances.get(instance.uuid);
    const opts = await singleViewOptions(deps, c, rebuilt);
    opts.plainAddresses = !c.version.atLeast('2.75');
    const view = detailView(rebuilt, opts);
    if (!c.version.atLeast('2.75')) {
      for (const key of Object.keys(view)) {
        if (BEFORE_275.test(key) || ['config_drive', 'security_groups', 'host_status'].includes(key)) delete view[key];
      }
      if (!c.version.atLeast('2.54')) delete view['key_name'];
    }
    // servers.py _action_rebuild: show_user_data=False (user_data alone is added from 2.57)
    delete view['OS-EXT-SRV-ATTR:user_data'];
    view['adminPass'] = req.adminPassword;
    if (c.version.atLeast('2.57')) view['user_data'] = rebuilt.data.user_data;
    reply.header('location', deps.links.resource('servers', rebuilt.uuid)[0]!.href);
    return reply.code(202).send({ server: view });
  },
}];
