/**
 * Helpers that let repositories ignore which dialect they run on: value conversions here,
 * plus re-exports of the error classifiers, column types and dialect-specific inserts.
 */
export { isForeignKeyViolation, isRetryableError, isUniqueViolation } from './sql-errors.js';
export { type ColumnTypes, type DataTypeExpression, columnTypes } from './column-types.js';
export { insertIgnore, insertReturningId, insertReturningRow, upsert, type UpsertSpec } from './inserts.js';
export { type Dialect, dialectOf } from './dialect.js';

/**
 * A stored boolean (0/1 integer on every dialect) as a JS boolean. Accepts 0/1, '0'/'1',
 * 0n/1n and true/false; anything else is a bug (wrong column, NULL) and throws.
 */
export function toBool(value: unknown): boolean {
  switch (value) {
    case true: case 1: case '1': case 1n: return true;
    case false: case 0: case '0': case 0n: return false;
  }
  throw new TypeError(`not a stored boolean: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
}

/** A time as Nubo stores it: UTC ISO 8601 with whole seconds, "2024-05-01T12:00:00Z". */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The current time as Nubo stores it (see isoSeconds). */
export function nowIso(): string {
  return isoSeconds(new Date());
}
