/**
 * Swift keeps no central database: every account and every container is one SQLite file on a
 * storage device (swift/account/backend.py, swift/container/backend.py), replicated by the
 * ring like objects. These are the tables of those files, as upstream names them (the
 * per-policy and sharding columns left out).
 */
export const CONTAINER_SCHEMA = `
CREATE TABLE IF NOT EXISTS object (
  ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  etag TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_object_name ON object (name);
CREATE INDEX IF NOT EXISTS ix_object_deleted_name ON object (deleted, name);
CREATE TABLE IF NOT EXISTS container_stat (
  account TEXT NOT NULL,
  container TEXT NOT NULL,
  created_at TEXT NOT NULL,
  put_timestamp TEXT NOT NULL DEFAULT '0',
  delete_timestamp TEXT NOT NULL DEFAULT '0',
  status_changed_at TEXT NOT NULL DEFAULT '0',
  object_count INTEGER NOT NULL DEFAULT 0,
  bytes_used INTEGER NOT NULL DEFAULT 0,
  reported_object_count INTEGER NOT NULL DEFAULT -1,
  reported_bytes_used INTEGER NOT NULL DEFAULT -1,
  metadata TEXT NOT NULL DEFAULT '{}',
  storage_policy_index INTEGER NOT NULL DEFAULT 0,
  x_container_sync_point1 INTEGER NOT NULL DEFAULT -1,
  x_container_sync_point2 INTEGER NOT NULL DEFAULT -1
);
`;

/** Columns of container_stat added after its first version: added to an older database when first needed. */
export const CONTAINER_STAT_ADDED_COLUMNS: ReadonlyArray<[string, string]> = [
  ['x_container_sync_point1', 'INTEGER NOT NULL DEFAULT -1'],
  ['x_container_sync_point2', 'INTEGER NOT NULL DEFAULT -1'],
];

export const ACCOUNT_SCHEMA = `
CREATE TABLE IF NOT EXISTS container (
  ROWID INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  put_timestamp TEXT NOT NULL,
  delete_timestamp TEXT NOT NULL,
  object_count INTEGER NOT NULL,
  bytes_used INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  storage_policy_index INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_container_name ON container (name);
CREATE INDEX IF NOT EXISTS ix_container_deleted_name ON container (deleted, name);
CREATE TABLE IF NOT EXISTS account_stat (
  account TEXT NOT NULL,
  created_at TEXT NOT NULL,
  put_timestamp TEXT NOT NULL DEFAULT '0',
  delete_timestamp TEXT NOT NULL DEFAULT '0',
  status_changed_at TEXT NOT NULL DEFAULT '0',
  container_count INTEGER NOT NULL DEFAULT 0,
  object_count INTEGER NOT NULL DEFAULT 0,
  bytes_used INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}'
);
`;

/** Metadata as upstream stores it: name → [value, timestamp]. */
export type StoredMetadata = Record<string, [string, string]>;
