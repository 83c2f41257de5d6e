/**
 * Numbers and markers of a query string, checked in one place for every service. Integers are
 * parsed strictly: decimal digits, and only where the service's upstream (Python `int()`)
 * accepts them, surrounding blanks and a sign; never `1e3`, `0x10`, `1.0` or `Infinity`.
 * Values stay within the safe integer range, so no rounded or floating value reaches SQL (a
 * float LIMIT is a "datatype mismatch" in SQLite). Markers are bounded in length. The caller
 * gives the error, so each service keeps its own messages and fault format.
 */

/** Longest marker accepted: every id of every service (UUIDs, 64-character Keystone ids, names) fits. */
export const MAX_MARKER_LENGTH = 255;

/** Why a value was refused: not an integer, below `min`, or beyond the safe integer range. */
export type IntegerProblem = 'syntax' | 'too_small' | 'too_large';

export interface IntegerRule {
  /** Accept blanks around the digits and a leading + or -, as Python's int() does (default: digits only). */
  pythonInt?: boolean;
  /** Smallest value accepted (default: -MAX_SAFE_INTEGER). */
  min?: number;
  /**
   * Larger values are lowered to this one instead of refused: a page size beyond every row
   * means "every row", as upstream's unbounded integers do. Without it, values beyond
   * MAX_SAFE_INTEGER are 'too_large'.
   */
  clampTo?: number;
}

const DIGITS = /^\d+$/;
const PYTHON_INT = /^\s*[+-]?\d+\s*$/;

/** The integer `raw` denotes under `rule`, or why it is refused. */
export function readQueryInteger(raw: string, rule: IntegerRule): { value: number } | { problem: IntegerProblem } {
  if (!(rule.pythonInt ? PYTHON_INT : DIGITS).test(raw)) return { problem: 'syntax' };
  const n = Number(raw) || 0; // -0 is 0
  if (n < (rule.min ?? -Number.MAX_SAFE_INTEGER)) return { problem: 'too_small' };
  if (rule.clampTo !== undefined) return { value: Math.min(n, rule.clampTo) };
  if (n > Number.MAX_SAFE_INTEGER) return { problem: 'too_large' };
  return { value: n };
}

/** The integer `raw` denotes, or the caller's error for `problem`. */
export function parseQueryInteger(raw: string, rule: IntegerRule, fail: (problem: IntegerProblem) => Error): number {
  const read = readQueryInteger(raw, rule);
  if ('problem' in read) throw fail(read.problem);
  return read.value;
}

/** A page size: a non-negative integer, values beyond `max` (default: the safe integer range) lowered to it. */
export function parseQueryLimit(raw: string, opts: { pythonInt?: boolean; max?: number }, fail: (problem: IntegerProblem) => Error): number {
  return parseQueryInteger(raw, { pythonInt: opts.pythonInt, min: 0, clampTo: opts.max ?? Number.MAX_SAFE_INTEGER }, fail);
}

/** The marker, or the caller's error when it is longer than any id could be. */
export function checkQueryMarker<T extends string | undefined>(raw: T, fail: () => Error, maxLength = MAX_MARKER_LENGTH): T {
  if (raw !== undefined && raw.length > maxLength) throw fail();
  return raw;
}
