/**
 * Extra attributes: what a client sends beyond an entity's known attributes is kept and
 * returned as given (upstream's `extra` column).
 */

/** The attributes of `ref` that are not in `known`. */
export function extraAttributes(ref: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(ref).filter(([k]) => !known.has(k)));
}
