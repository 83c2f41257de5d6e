/**
 * UUIDs as placement accepts them: oslo.utils' is_uuid_like (any spelling Python's uuid.UUID
 * parses back to the same hex: with or without dashes, braces or a `urn:uuid:` prefix, any
 * case) and str(uuid.UUID(x)), the canonical dashed lower-case form.
 */

/** The 32 hex digits of a UUID spelling uuid.UUID() accepts (its own clean-up), or undefined. */
function hexOf(value: string): string | undefined {
  const hex = value.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^[{}]+|[{}]+$/g, '').replaceAll('-', '');
  return /^[0-9a-fA-F]{32}$/.test(hex) ? hex.toLowerCase() : undefined;
}

/** oslo_utils.uuidutils.is_uuid_like. */
export function isUuidLike(value: unknown): boolean {
  return typeof value === 'string' && hexOf(value) !== undefined;
}

/** str(uuid.UUID(value)) for a value isUuidLike accepted. */
export function canonicalUuid(value: string): string {
  const hex = hexOf(value);
  if (hex === undefined) throw new TypeError(`not a uuid: ${value}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
