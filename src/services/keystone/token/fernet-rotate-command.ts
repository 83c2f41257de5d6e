/** `nubo identity fernet-rotate`: keystone-manage fernet_rotate for this cloud's key repository. */
import { resolve } from 'node:path';
import { defaultGroup, type Config } from '../../../common/config/index.js';
import { OperatorError } from '../../../common/errors.js';
import type { ManageCommand } from '../../../common/service/project.js';
import { fernetKeyDir, fernetTokensGroup } from '../auth-config.js';
import { initializeKeyRepository, rotateFernetKeys } from './key-repository.js';

export const fernetRotateCommand: ManageCommand = {
  name: 'fernet-rotate',
  description: 'rotate the Fernet token keys (keystone-manage fernet_rotate)',
  run: rotateFernetKeysCommand,
};

function rotateFernetKeysCommand(config: Config): string {
  const dir = fernetKeyDir(config, resolve(config.get(defaultGroup).data_dir));
  const max = config.get(fernetTokensGroup).max_active_keys;
  try {
    if (initializeKeyRepository(dir, max)) return `nubo: created the Fernet key repository ${dir}\n`;
    const primary = rotateFernetKeys(dir, max);
    return `nubo: rotated ${dir}: key ${primary} is now primary, a new staged key was created (max_active_keys ${max})\n`;
  } catch (err) {
    throw new OperatorError(`cannot rotate Fernet keys in ${dir}: ${(err as Error).message}`, { cause: err });
  }
}
