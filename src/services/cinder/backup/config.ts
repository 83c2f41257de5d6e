/**
 * Options of volume backups, as cinder.conf names them ([DEFAULT] backup_*): the driver
 * (posix or swift, by short name or Cinder's class path), the chunking of the chunked drivers
 * (object size, the block size of the sha256 list that incremental backups compare),
 * compression, where the posix driver keeps its files, which account (the requester's or the
 * service's) and container the swift driver uses, and the quotas of backups.
 */
import { defineGroup, opt } from '../../../common/config/index.js';

export const backupGroup = defineGroup('DEFAULT', 'Volume backups (cinder.conf [DEFAULT] backup_*)', {
  backup_driver: opt.str('posix', 'Backup driver: posix (files under backup_posix_path) or swift (objects in Object Storage); Cinder\'s class paths (cinder.backup.drivers.posix.PosixBackupDriver, cinder.backup.drivers.swift.SwiftBackupDriver) are accepted too.'),
  backup_compression_algorithm: opt.enum(['zlib', 'gzip', 'none', 'off', 'no'], 'zlib', 'Compression of the backup objects: zlib (gzip is its alias), or none.'),
  backup_posix_path: opt.str('', 'Directory of the posix backup driver; empty: <data_dir>/backup.'),
  backup_file_size: opt.int(61035 * 32768, 'Largest object (file) of the posix driver, in bytes; a multiple of backup_sha_block_size_bytes. Objects are streamed, never held whole in memory.', { min: 4096 }),
  backup_sha_block_size_bytes: opt.int(32768, 'Block size, in bytes, of the sha256 list of the posix driver that incremental backups compare.', { min: 512 }),
  backup_container: opt.str('', 'Directory under backup_posix_path of the posix driver\'s backups; empty: <id[0:2]>/<id[2:4]>/<id> per backup.'),
  backup_swift_auth: opt.enum(['per_user', 'single_user'], 'per_user',
    'Whose Swift account the swift driver uses: per_user, the requesting project\'s with the requester\'s token; single_user, the Block Storage service\'s own.'),
  backup_swift_url: opt.str('', 'per_user: the Swift URL the project id is appended to (e.g. http://host/object/v1/AUTH_); empty: the requester\'s catalog (backup_swift_catalog_info).'),
  backup_swift_catalog_info: opt.str('object-store:swift:publicURL', 'per_user: the endpoint of the requester\'s catalog, as <service type>:<service name>:<endpoint type>.'),
  backup_swift_container: opt.str('volumebackups', 'Container of the swift driver, in the Block Storage service\'s account, when a backup names none.'),
  backup_swift_object_size: opt.int(52428800, 'Largest object of the swift driver, in bytes; a multiple of backup_swift_block_size.', { min: 4096 }),
  backup_swift_block_size: opt.int(32768, 'Block size, in bytes, of the sha256 list of the swift driver that incremental backups compare.', { min: 512 }),
});
