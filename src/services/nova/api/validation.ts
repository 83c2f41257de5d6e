/**
 * Body validation against a schema chosen by microversion (nova's @validation.schema with
 * min/max versions): the schema is compiled once, with the same Ajv settings as route schemas
 * (no unknown fields, no type coercion), and a failure is the same 400 as a route schema's.
 */
import { lazyValidatorCompiler } from '../../../common/http/validation.js';

type Validate = (data: unknown) => { value?: unknown; error?: Error };

const compiled = new WeakMap<object, Validate>();

/** @throws the validation error the error hook turns into a 400 */
export function validateBody<T>(schema: Record<string, unknown>, body: unknown): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = lazyValidatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '' }) as Validate;
    compiled.set(schema, validate);
  }
  const result = validate(body);
  if (result.error) throw result.error;
  return body as T;
}
