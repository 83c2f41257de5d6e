/**
 * Request and response bodies as the API layer handles them: JSON objects whose attributes it
 * checks against attribute maps (requests) and filters by `fields` and policy (responses).
 * Managers take typed inputs and return typed records; these helpers are the crossing.
 */

/** A JSON object of a request or response body, by attribute name. */
export type Fields = Record<string, unknown>;

export function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A record's attributes, to filter or to check policy on. */
export function fieldsOf(record: object): Fields {
  return { ...record };
}
