/**
 * The Swift account references of `[glance_store] swift_store_config_file` (glance_store's
 * swift/utils.py SwiftParams), as DevStack writes glance-swift-store.conf:
 *
 *   [ref1]
 *   user = service:glance-swift        (project:user)
 *   key = secret
 *   auth_address = http://127.0.0.1:8880/identity/v3
 *   user_domain_name = Default
 *   project_domain_name = Default
 *   auth_version = 3
 *
 * Each reference becomes the credentials of a Keystone v3 password login.
 */
import { readIniFile } from '../../../common/config/index.js';
import { OperatorError } from '../../../common/errors.js';
import type { ServiceCredentials } from '../../../common/service/project.js';

export interface SwiftReference {
  name: string;
  /** Identity root (the auth_address without its /v3). */
  authUrl: string;
  credentials: ServiceCredentials;
}

/** Parse the references of a swift store config file. @throws OperatorError */
export function readSwiftReferences(path: string): Map<string, SwiftReference> {
  const doc = readIniFile(path);
  const out = new Map<string, SwiftReference>();
  for (const section of doc.sections.values()) {
    if (section.name === 'DEFAULT') continue;
    const get = (key: string): string | undefined => section.entries.get(key)?.at(-1)?.value.trim();
    const where = `${path} [${section.name}]`;
    const version = get('auth_version') ?? '3';
    if (version !== '3') throw new OperatorError(`${where}: auth_version ${version} is not supported (Keystone v3 only, as glance_store since 2023.1)`);
    const user = get('user');
    const key = get('key');
    const auth = get('auth_address');
    if (get('application_credential_id')) throw new OperatorError(`${where}: application credentials are not supported; give user and key`);
    if (!user || !key) throw new OperatorError(`${where}: user (project:user) and key are required`);
    if (!auth) throw new OperatorError(`${where}: auth_address is required`);
    const colon = user.indexOf(':');
    if (colon <= 0 || colon === user.length - 1) throw new OperatorError(`${where}: user "${user}" is not project:user`);
    out.set(section.name, {
      name: section.name,
      authUrl: auth.replace(/\/+$/, '').replace(/\/v3$/, ''),
      credentials: {
        projectName: user.slice(0, colon),
        username: user.slice(colon + 1),
        password: key,
        userDomainName: get('user_domain_name') ?? 'Default',
        projectDomainName: get('project_domain_name') ?? 'Default',
      },
    });
  }
  return out;
}
