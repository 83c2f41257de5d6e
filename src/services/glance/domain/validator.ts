/**
 * Validation of request objects against Glance's published schemas, with Glance's error text
 * ("Provided object does not match schema 'image': 'x' is not one of [...]", as python's
 * jsonschema words it).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { BadRequest } from '../../../common/errors.js';
import type { JsonSchema } from './schemas.js';

/** Python repr of a JSON value, as jsonschema prints instances. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
  return String(v);
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = (cur as Record<string, unknown> | undefined)?.[key];
  }
  return cur;
}

function describe(err: ErrorObject, data: unknown): string {
  const value = valueAt(data, err.instancePath);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'enum': return `${pyRepr(value)} is not one of ${pyRepr(p['allowedValues'])}`;
    case 'type': return `${pyRepr(value)} is not of type ${[p['type']].flat().map((t) => `'${String(t)}'`).join(', ')}`;
    case 'maxLength': return `${pyRepr(value)} is too long`;
    case 'minLength': return `${pyRepr(value)} is too short`;
    case 'pattern': return `${pyRepr(value)} does not match '${String(p['pattern'])}'`;
    case 'required': return `'${String(p['missingProperty'])}' is a required property`;
    case 'additionalProperties': return `Additional properties are not allowed ('${String(p['additionalProperty'])}' was unexpected)`;
    default: return `${pyRepr(value)} ${err.message ?? 'is invalid'}`;
  }
}

export class SchemaValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: false, coerceTypes: false, useDefaults: false, validateFormats: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly schemas: Readonly<Record<string, JsonSchema>>) {}

  private fn(name: string): ValidateFunction {
    let f = this.compiled.get(name);
    if (!f) {
      const schema = this.schemas[name];
      if (!schema) throw new Error(`no schema ${name}`);
      const { name: _n, links: _l, ...body } = schema;
      f = this.ajv.compile({ type: 'object', ...body });
      this.compiled.set(name, f);
    }
    return f;
  }

  /** @throws BadRequest naming the first violation */
  validate(name: string, data: unknown): void {
    const f = this.fn(name);
    if (f(data)) return;
    const err = f.errors?.[0];
    throw new BadRequest(`Provided object does not match schema '${name}': ${err ? describe(err, data) : 'invalid'}`);
  }
}
