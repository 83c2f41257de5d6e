/**
 * The project database's migrations: none. Swift has no central database (accounts and
 * containers are SQLite files on the storage devices, db/schema.ts); the launcher still opens
 * one per project, which stays empty.
 */
import type { Migrations } from '../../../common/db/index.js';

export const swiftMigrations: Migrations = {};
