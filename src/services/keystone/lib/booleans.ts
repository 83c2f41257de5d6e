/** Booleans in API bodies, which may be "true"/"False" strings (keystone's parameter_types.boolean). */
import { attrAsBoolean } from './hints.js';

/** The boolean `v` stands for; `dflt` when it is absent or null. */
export function toBoolean(v: unknown, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  return attrAsBoolean(String(v));
}
