/**
 * list_objects_iter / list_containers_iter of Swift's brokers: names in byte order (SQLite's
 * BINARY collation on UTF-8, as upstream), with prefix, delimiter (a name's part up to the
 * delimiter after the prefix is one `subdir` entry), marker, end_marker, limit and reverse.
 */
import { statement, type Sqlite } from './broker.js';
import type { Entry } from '../utils/listing.js';

export interface ListOptions {
  limit: number;
  marker?: string;
  endMarker?: string;
  prefix?: string;
  delimiter?: string;
  reverse?: boolean;
}

function bump(s: string): string {
  return s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) + 1);
}

export function listRows<T extends { name: string }>(db: Sqlite, table: 'object' | 'container', columns: string, opts: ListOptions): Array<Entry<T>> {
  const out: Array<Entry<T>> = [];
  const prefix = opts.prefix ?? '';
  const delimiter = opts.delimiter || undefined;
  const reverse = opts.reverse === true;
  let marker = opts.marker ?? '';
  const origMarker = marker;
  // With a prefix and reverse, start just after the prefix range.
  if (reverse && prefix && (!marker || marker > bump(prefix))) marker = bump(prefix);
  while (out.length < opts.limit) {
    const where = ['deleted = 0'];
    const args: string[] = [];
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
    const want = opts.limit - out.length;
    const rows = statement(db, `SELECT ${columns} FROM ${table} WHERE ${where.join(' AND ')} ORDER BY name ${reverse ? 'DESC' : 'ASC'} LIMIT ?`).all(...args, want) as T[];
    if (rows.length === 0) break;
    let requery = false;
    for (const row of rows) {
      const name = row.name;
      if (delimiter) {
        const end = name.indexOf(delimiter, prefix.length);
        if (end >= 0) {
          const dir = name.slice(0, end + delimiter.length);
          marker = reverse ? dir : name.slice(0, end) + bump(delimiter);
          if (dir !== origMarker) out.push({ subdir: dir });
          requery = true;
          break;
        }
      }
      out.push({ row });
      marker = name;
    }
    if (!requery && rows.length < want) break;
  }
  return out;
}
