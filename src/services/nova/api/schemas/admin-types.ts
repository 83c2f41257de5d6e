/**
 * Parameter types of the admin resources (nova/api/validation/parameter_types.py) that the
 * servers schemas do not already export: fqdn (a host), az_name, metadata with null values.
 */
import { METADATA } from './servers.js';

type Schema = Record<string, unknown>;

/** fqdn: a host name as the services table has it (underscores allowed). */
export const FQDN: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[a-zA-Z0-9-._]*$' };
/** az_name: like name, and no ':' (nova's 'az_name' format). */
export const AZ_NAME: Schema = { type: 'string', minLength: 1, maxLength: 255, pattern: '^(?!\\s)[^:\\x00-\\x1F\\x7F]*(?<!\\s)$' };
/** metadata_with_null: values may be null (a key to remove). */
export const METADATA_WITH_NULL: Schema = {
  ...METADATA,
  patternProperties: { '^[a-zA-Z0-9-_:. ]{1,255}$': { type: ['string', 'null'], maxLength: 255 } },
};
