/**
 * cinder.exception's backup classes (upstream's names and messages), as CinderExceptions: the
 * one error hook renders them with api/fault.ts like the others.
 */
import { CinderException, Invalid, NotFound } from '../errors.js';

export class InvalidBackup extends Invalid {
  constructor(reason: string) { super(`Invalid backup: ${reason}`); }
}
export class BackupNotFound extends NotFound {
  constructor(id: string) { super(`Backup ${id} could not be found.`); }
}
export class BackupLimitExceeded extends CinderException {
  constructor(allowed: number) { super(`Maximum number of backups allowed (${allowed}) exceeded`, 413); }
}
export class VolumeBackupSizeExceedsAvailableQuota extends CinderException {
  constructor(requested: number, quota: number, consumed: number) {
    super(`Requested backup exceeds allowed Backup gigabytes quota. Requested ${requested}G, quota is ${quota}G and ${consumed}G has been consumed.`, 413);
  }
}
/** No backup service is up (the API answers 503, as cinder's backups controller does for ServiceNotFound). */
export class BackupServiceUnavailable extends CinderException {
  constructor() { super('Service cinder-backup could not be found.', 503); }
}
export class NotSupportedOperation extends CinderException {
  constructor(operation: string) { super(`Operation not supported: ${operation}.`, 405); }
}
/** Internal: a backup driver failed (the backup goes to error with this reason). */
export class BackupDriverException extends CinderException {
  constructor(reason: string) { super(`Backup driver reported an error: ${reason}`); }
}
