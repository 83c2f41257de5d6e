/**
 * List hints (keystone/common/driver_hints.py): the filters, marker and page size of a list
 * request. Managers apply what they can in SQL; `applyHints` does the rest in memory, as
 * upstream's wrap_collection does for filters a driver did not satisfy.
 */
import { MarkerNotFound } from '../errors.js';

export type Comparator = 'equals' | 'contains' | 'startswith' | 'endswith';

export interface Filter {
  name: string;
  value: string;
  comparator: Comparator;
  caseSensitive: boolean;
}

export class Hints {
  filters: Filter[] = [];
  /** Page size, when a limit applies (query `limit` or the configured list_limit). */
  limit: number | undefined;
  /** Whether the list was cut at `limit`. */
  truncated = false;
  marker: string | undefined;

  add(name: string, value: string, comparator: Comparator = 'equals', caseSensitive = true): this {
    this.filters.push({ name, value, comparator, caseSensitive });
    return this;
  }

  /** The value of an exact filter, if present. */
  get(name: string): string | undefined {
    return this.filters.find((f) => f.name === name && f.comparator === 'equals')?.value;
  }

  /** Removes and returns exact filters on `name` (the caller satisfies them). */
  take(name: string): string | undefined {
    const i = this.filters.findIndex((f) => f.name === name && f.comparator === 'equals');
    if (i < 0) return undefined;
    return this.filters.splice(i, 1)[0]!.value;
  }
}

/** Python's bool-from-string for filters on boolean attributes ('0', 'false', 'False' are false). */
export function attrAsBoolean(v: string): boolean {
  return !['0', 'false', 'f', 'no', 'n', 'off', ''].includes(v.trim().toLowerCase());
}

function matches(ref: Record<string, unknown>, f: Filter): boolean {
  const actual = ref[f.name];
  if (f.comparator === 'equals') {
    if (typeof actual === 'boolean') return actual === attrAsBoolean(f.value);
    if (actual === null || actual === undefined) return f.value === 'None' || f.value === '' ? actual === null : false;
    return String(actual) === f.value;
  }
  if (typeof actual !== 'string') return false;
  const a = f.caseSensitive ? actual : actual.toLowerCase();
  const v = f.caseSensitive ? f.value : f.value.toLowerCase();
  switch (f.comparator) {
    case 'contains': return a.includes(v);
    case 'startswith': return a.startsWith(v);
    case 'endswith': return a.endsWith(v);
  }
}

/**
 * Applies the remaining filters, then marker and limit (sorted by id, as upstream paginates),
 * and records whether the result was truncated.
 */
export function applyHints<T extends { id: string }>(refs: T[], hints: Hints | undefined): T[] {
  if (!hints) return refs;
  let out = refs.filter((r) => hints.filters.every((f) => matches(r as unknown as Record<string, unknown>, f)));
  if (hints.marker !== undefined || hints.limit !== undefined) {
    out = [...out].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
  if (hints.marker !== undefined) {
    const marker = hints.marker;
    if (!refs.some((r) => r.id === marker)) throw new MarkerNotFound(marker);
    out = out.filter((r) => r.id > marker);
  }
  if (hints.limit !== undefined) {
    if (out.length > hints.limit) out = out.slice(0, hints.limit);
    // Upstream cannot know whether more rows follow, so a full page counts as truncated.
    if (hints.limit > 0 && out.length >= hints.limit) hints.truncated = true;
  }
  return out;
}
