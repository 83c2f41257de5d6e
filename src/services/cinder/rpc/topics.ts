/**
 * The bus wiring of Cinder's roles (cinder/common/constants.py, volume/rpcapi.py,
 * scheduler/rpcapi.py): schedulers share `cinder-scheduler`; a volume service listens on
 * `cinder-volume.<host>@<backend>` and hears the schedulers' capability requests by fanout.
 */
export const SCHEDULER_TOPIC = 'cinder-scheduler';
export const VOLUME_TOPIC = 'cinder-volume';
export const SCHEDULER_BINARY = 'cinder-scheduler';
export const VOLUME_BINARY = 'cinder-volume';

/** VolumeAPI.RPC_API_VERSION and SchedulerAPI.RPC_API_VERSION at Zed. */
export const VOLUME_RPC_VERSION = '3.18';
export const SCHEDULER_RPC_VERSION = '3.12';

/** cinder-backup: one service per host on `cinder-backup.<host>` (backup/rpcapi.py). */
export const BACKUP_TOPIC = 'cinder-backup';
export const BACKUP_BINARY = 'cinder-backup';
export const BACKUP_RPC_VERSION = '2.4';
