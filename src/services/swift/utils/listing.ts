/**
 * Listings of accounts (containers) and containers (objects) in Swift's three formats: plain
 * text (one name a line), JSON and XML, chosen by ?format= or the Accept header
 * (swift/common/request_helpers.get_listing_content_type).
 */
export type ListingFormat = 'plain' | 'json' | 'xml';

export interface ObjectRow {
  name: string;
  created_at: string;
  size: number;
  content_type: string;
  etag: string;
}

export interface ContainerRow {
  name: string;
  object_count: number;
  bytes_used: number;
  put_timestamp: string;
}

export type Entry<T> = { row: T } | { subdir: string };

export class BadListingFormat extends Error {}

export function listingFormat(query: Record<string, string | undefined>, accept: string | undefined): ListingFormat {
  const f = query.format?.toLowerCase();
  if (f !== undefined && f !== '') {
    if (f === 'json') return 'json';
    if (f === 'xml') return 'xml';
    if (f === 'plain' || f === 'txt' || f === 'text') return 'plain';
    return 'plain';
  }
  const a = (accept ?? '').toLowerCase();
  if (a.includes('application/json')) return 'json';
  if (a.includes('application/xml') || a.includes('text/xml')) return 'xml';
  if (a === '' || a.includes('text/plain') || a.includes('*/*')) return 'plain';
  throw new BadListingFormat(a);
}

export const CONTENT_TYPES: Record<ListingFormat, string> = {
  plain: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

const xmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The plain text listing: one name (or subdir) a line. */
export const plainListing = (names: string[]): string => `${names.join('\n')}\n`;

export function renderListing<T extends ObjectRow | ContainerRow>(
  format: ListingFormat,
  kind: 'account' | 'container',
  name: string,
  entries: Array<Entry<T>>,
  toJson: (row: T) => Record<string, unknown>,
  xmlOrder: readonly string[],
): string {
  if (format === 'plain') return plainListing(entries.map((e) => ('subdir' in e ? e.subdir : e.row.name)));
  if (format === 'json') return JSON.stringify(entries.map((e) => ('subdir' in e ? { subdir: e.subdir } : toJson(e.row))));
  const inner = kind === 'container' ? 'object' : 'container';
  const items = entries.map((e) => {
    if ('subdir' in e) return `<subdir name="${xmlEscape(e.subdir)}"><name>${xmlEscape(e.subdir)}</name></subdir>`;
    const json = toJson(e.row);
    const fields = xmlOrder.map((k) => `<${k}>${xmlEscape(String(json[k]))}</${k}>`).join('');
    return `<${inner}>${fields}</${inner}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${kind} name="${xmlEscape(name)}">${items.join('')}</${kind}>`;
}
