/**
 * Body validation against a schema chosen by microversion (nova's @validation.schema with
 * min/max versions): the schema is compiled once, with the same Ajv settings as route schemas
 * (no unknown fields, no type coercion), and a failure is the same 400 as a route schema's.
 * A request of the legacy v2 API is validated relaxed (nova's _SchemaValidator with
 * relax_additional_properties): unknown properties are removed from the body instead of
 * failing it, with the relaxed compile of the schema cached apart; where Nova has a schema of
 * the legacy API's own (`*_v20`), that one.
 */
import { lazyValidatorCompiler, relaxedBodyValidator, type BodyValidator } from '../../../common/http/validation.js';
import { servingLegacyV2 } from './legacy-v2.js';

const compiled = new WeakMap<object, BodyValidator>();
const compiledRelaxed = new WeakMap<object, BodyValidator>();

/**
 * `v20`: the legacy v2 API's own schema, where Nova has one (schemas/legacy-v20.ts).
 * @throws the validation error the error hook turns into a 400
 */
export function validateBody<T>(schema: Record<string, unknown>, body: unknown, v20?: Record<string, unknown>): T {
  const legacy = servingLegacyV2();
  const result = validatorOf(legacy && v20 ? v20 : schema, legacy)(body);
  if (result.error) throw result.error;
  return body as T;
}

function validatorOf(schema: Record<string, unknown>, relaxed: boolean): BodyValidator {
  const cache = relaxed ? compiledRelaxed : compiled;
  let validate = cache.get(schema);
  if (!validate) {
    validate = relaxed ? relaxedBodyValidator(schema) : lazyValidatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '' }) as BodyValidator;
    cache.set(schema, validate);
  }
  return validate;
}
