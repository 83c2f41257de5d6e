/**
 * The backup driver of a backup service, chosen by [DEFAULT] backup_driver (a short name or
 * Cinder's class path), built from the backup options.
 */
import { join } from 'node:path';
import { ObjectClient, type ServiceSession } from '../../../../common/clients/index.js';
import type { Values } from '../../../../common/config/index.js';
import { OperatorError } from '../../../../common/errors.js';
import type { backupGroup } from '../config.js';
import type { ChunkedBackupDriver } from './chunked.js';
import { POSIX_SERVICE, PosixBackupDriver } from './posix.js';
import { SWIFT_SERVICE, SwiftBackupDriver } from './swift.js';

type BackupOptions = Values<(typeof backupGroup)['opts']>;

export function backupDriverName(option: string): 'posix' | 'swift' {
  const v = option.trim();
  if (v === 'posix' || v === POSIX_SERVICE) return 'posix';
  if (v === 'swift' || v === SWIFT_SERVICE) return 'swift';
  throw new OperatorError(`[DEFAULT] backup_driver = ${option}: Nubo has the posix and swift backup drivers (${POSIX_SERVICE}, ${SWIFT_SERVICE})`);
}

export function createBackupDriver(o: BackupOptions, deps: { dataDir: string; session: ServiceSession; region: string }): ChunkedBackupDriver {
  const compression = ['zlib', 'gzip'].includes(o.backup_compression_algorithm) ? 'zlib' as const : 'none' as const;
  if (backupDriverName(o.backup_driver) === 'swift') {
    const perUser = o.backup_swift_auth === 'per_user'
      ? { session: deps.session, url: o.backup_swift_url, catalogInfo: o.backup_swift_catalog_info, region: deps.region }
      : undefined;
    return new SwiftBackupDriver(new ObjectClient(deps.session), {
      chunkSize: o.backup_swift_object_size, shaBlockSize: o.backup_swift_block_size, compression, defaultContainer: o.backup_swift_container || null,
    }, perUser);
  }
  return new PosixBackupDriver(o.backup_posix_path || join(deps.dataDir, 'backup'), {
    chunkSize: o.backup_file_size, shaBlockSize: o.backup_sha_block_size_bytes, compression, defaultContainer: o.backup_container || null,
  });
}
