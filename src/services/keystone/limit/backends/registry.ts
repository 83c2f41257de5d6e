/** The unified limit drivers by `[unified_limit] driver` name. */
import type { Kysely } from 'kysely';
import type { KeystoneDB } from '../../db/schema.js';
import { DriverRegistry } from '../../lib/drivers.js';
import type { UnifiedLimitDriver } from './base.js';
import { SqlUnifiedLimitDriver } from './sql.js';

export const unifiedLimitDrivers = new DriverRegistry<UnifiedLimitDriver>('unified_limit', {
  sql: (c) => new SqlUnifiedLimitDriver(c.db as Kysely<KeystoneDB>),
});
