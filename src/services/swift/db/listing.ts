/**
 * list_objects_iter / list_containers_iter of Swift's brokers: names in byte order (SQLite's
 * BINARY collation on UTF-8, as upstream), with prefix, delimiter (a name's part up to the
 * delimiter after the prefix is one `subdir` entry), marker, end_marker, limit and reverse.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { statement, type Sqlite } from './broker.js';
import type { Entry } from '../utils/listing.js';

export interface ListOptions {
  limit: number;
  marker?: string;
  endMarker?: string;
  prefix?: string;
  delimiter?: string;
  reverse?: boolean;
  /** Names in the reserved namespace (a leading NUL) listed too (X-Backend-Allow-Reserved-Names). */
  allowReserved?: boolean;
}

/** The first name past the reserved namespace's (all of whose names begin with NUL). */
const RESERVED_END = '\u0001';

function bump(s: string): string {
  return s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);
}

/** What a walk over the listing's rows hands on: each row (read as `R`) and each subdir. */
interface Walk<R> {
  columns: string;
  /** The statement in the mode that reads rows as `R` (set on each use: statements are cached). */
  mode(st: BetterSqlite3.Statement): BetterSqlite3.Statement;
  nameOf(row: R): string;
  row(row: R): void;
  subdir(dir: string): void;
}

/** list_*_iter's loop: pages of rows after the marker, a delimiter's subdir skipped over with a new query. */
function walk<R>(db: Sqlite, table: 'object' | 'container', opts: ListOptions, w: Walk<R>): void {
  let count = 0;
  const prefix = opts.prefix ?? '';
  const delimiter = opts.delimiter || undefined;
  const reverse = opts.reverse === true;
  let marker = opts.marker ?? '';
  const origMarker = marker;
  // With a prefix and reverse, start just after the prefix range.
  if (reverse && prefix && (!marker || marker > bump(prefix))) marker = bump(prefix);
  while (count < opts.limit) {
    const where = ['deleted = 0'];
    const args: string[] = [];
    // the reserved namespace (names from NUL up) is the middlewares' own: hidden from others' listings
    if (!opts.allowReserved) { where.push('name >= ?'); args.push(RESERVED_END); }
    if (reverse) {
      if (marker) { where.push('name < ?'); args.push(marker); }
      if (opts.endMarker) { where.push('name > ?'); args.push(opts.endMarker); }
    } else {
      if (marker) { where.push('name > ?'); args.push(marker); }
      if (opts.endMarker) { where.push('name < ?'); args.push(opts.endMarker); }
    }
    if (prefix) {
      where.push('name >= ?', 'name < ?');
      args.push(prefix, bump(prefix));
    }
    const want = opts.limit - count;
    const rows = w.mode(statement(db, `SELECT ${w.columns} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY name ${reverse ? 'DESC' : 'ASC'} LIMIT ?`)).all(...args, want) as R[];
    if (rows.length === 0) break;
    let requery = false;
    for (const row of rows) {
      const name = w.nameOf(row);
      if (delimiter) {
        const end = name.indexOf(delimiter, prefix.length);
        if (end >= 0) {
          const dir = name.slice(0, end + delimiter.length);
          marker = reverse ? dir : name.slice(0, end) + bump(delimiter);
          if (dir !== origMarker) {
            w.subdir(dir);
            count++;
          }
          requery = true;
          break;
        }
      }
      w.row(row);
      count++;
      marker = name;
    }
    if (!requery && rows.length < want) break;
  }
}

/**
 * The listing's entries, `columns` read as arrays (better-sqlite3's raw mode: a third less
 * than its row objects) and made into rows by `make`; the first column is the name.
 */
export function listRows<T extends { name: string }>(db: Sqlite, table: 'object' | 'container', columns: string, opts: ListOptions,
  make: (raw: unknown[]) => T): Array<Entry<T>> {
  const out: Array<Entry<T>> = [];
  walk<unknown[]>(db, table, opts, {
    columns, mode: (st) => st.raw(true), nameOf: (r) => r[0] as string,
    row: (r) => out.push({ row: make(r) }), subdir: (dir) => out.push({ subdir: dir }),
  });
  return out;
}

/**
 * The listing's names and subdirs alone, in order (the plain format): only the name column
 * is read (the (deleted, name) index covers it, no row is looked up), as plain strings.
 */
export function listNames(db: Sqlite, table: 'object' | 'container', opts: ListOptions): string[] {
  const out: string[] = [];
  walk<string>(db, table, opts, {
    columns: 'name', mode: (st) => st.pluck(true), nameOf: (n) => n,
    row: (n) => out.push(n), subdir: (dir) => out.push(dir),
  });
  return out;
}
