/** Column sets the cinder migrations share: the timestamps and soft-delete flag of upstream's CinderBase. */
import type { ColumnTypes } from '../../../common/db/index.js';

/** created_at, updated_at, deleted_at and deleted added to a table being created. */
export function softDeleteColumns(t: ColumnTypes): <B extends { addColumn: (...a: any[]) => B }>(b: B) => B {
  return (b) => b
    .addColumn('created_at', t.timestamp, (c: any) => c.notNull())
    .addColumn('updated_at', t.timestamp)
    .addColumn('deleted_at', t.timestamp)
    .addColumn('deleted', t.boolean, (c: any) => c.notNull().defaultTo(0));
}
