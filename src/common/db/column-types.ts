/**
 * Column types for migrations where the dialects differ. Choices:
 * - boolean: SMALLINT holding 0/1 on every dialect (not PostgreSQL BOOLEAN), so rows read the
 *   same everywhere; writes of JS booleans are turned into 0/1 by BooleanToIntegerPlugin, reads
 *   go through toBool().
 * - string(n): VARCHAR(n), the type to use for anything indexed or unique (MySQL cannot index
 *   TEXT without a prefix length).
 * - text / jsonText: unbounded text (MySQL LONGTEXT, as its TEXT stops at 64 KiB). JSON is
 *   serialised by the application and stored as text, not as a JSON type, so it round-trips
 *   byte for byte on every dialect.
 * - timestamp: VARCHAR(32) holding nowIso() strings ("2024-05-01T12:00:00Z"), which sort in
 *   time order as text and avoid three different date types and time-zone rules.
 * - blob: BLOB / BYTEA / LONGBLOB; every driver returns a Buffer.
 * - serial + serialPrimaryKey: an auto-increment integer key
 *   (`.addColumn('id', t.serial, t.serialPrimaryKey)`); read the new id with insertReturningId.
 */
import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, sql } from 'kysely';
import { type Dialect, dialectOf } from './dialect.js';

/** What `addColumn` accepts as a type (Kysely does not export the name). */
export type DataTypeExpression = Parameters<CreateTableBuilder<string>['addColumn']>[1];

export interface ColumnTypes {
  string(length?: number): DataTypeExpression;
  readonly text: DataTypeExpression;
  readonly jsonText: DataTypeExpression;
  readonly integer: DataTypeExpression;
  readonly bigint: DataTypeExpression;
  readonly boolean: DataTypeExpression;
  readonly timestamp: DataTypeExpression;
  readonly blob: DataTypeExpression;
  readonly serial: DataTypeExpression;
  readonly serialPrimaryKey: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export function columnTypes(dbOrDialect: Kysely<any> | Dialect): ColumnTypes {
  const dialect = typeof dbOrDialect === 'string' ? dbOrDialect : dialectOf(dbOrDialect);
  const mysql = dialect === 'mysql';
  const text: DataTypeExpression = mysql ? sql`longtext` : 'text';
  return {
    string: (length = 255) => `varchar(${length})`,
    text,
    jsonText: text,
    integer: 'integer',
    bigint: 'bigint',
    boolean: 'smallint',
    timestamp: 'varchar(32)',
    blob: dialect === 'postgres' ? 'bytea' : mysql ? sql`longblob` : 'blob',
    serial: dialect === 'postgres' ? 'serial' : 'integer',
    serialPrimaryKey: dialect === 'postgres' ? (col) => col.primaryKey() : (col) => col.primaryKey().autoIncrement(),
  };
}
