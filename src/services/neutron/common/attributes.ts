/**
 * Attribute values as the business layer receives them: Neutron's ATTR_NOT_SPECIFIED marker
 * ("the request did not set this", distinct from null) with the `isSet` test, and the UUID
 * test for identifiers (neutron_lib.constants.ATTR_NOT_SPECIFIED, uuidutils.is_uuid_like).
 * The API layer puts the marker in request inputs as an attribute's default; managers ask.
 */

/** Neutron's ATTR_NOT_SPECIFIED. */
export const NOT_SPECIFIED: unique symbol = Symbol('ATTR_NOT_SPECIFIED');
export type NotSpecified = typeof NOT_SPECIFIED;

/** An input attribute whose default is "not specified". */
export type Settable<T> = T | NotSpecified;

/** Whether the request gave the attribute a value (not null, not left out). */
export function isSet<T>(value: T | NotSpecified | null | undefined): value is T {
  return value !== null && value !== undefined && value !== NOT_SPECIFIED;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}
