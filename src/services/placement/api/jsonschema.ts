/**
 * JSON-schema validation of bodies and query strings with the error text placement's clients
 * see: Python jsonschema's `str(best_match(errors))` ("0 is less than the minimum of 1\n\nFailed
 * validating 'minimum' in schema['properties']['total']:\n    {...}\n\nOn instance['total']:\n
 * 0"). Ajv validates (all errors); the translation to jsonschema's wording, its choice of the
 * error to report (the shallowest, anyOf last, then schema order) and Python's repr of values
 * are written here because no library speaks that dialect. Schemas compile once, on first use.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { pyRepr } from '../../../common/policy/python-values.js';
import { isUuidLike } from './uuids.js';

export type JsonSchema = Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, formats: { uuid: isUuidLike } });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

/** One violation as jsonschema describes it. */
interface Violation {
  message: string;
  keyword: string;
  /** Path of the instance (jsonschema's error.path). */
  path: string[];
  /** Schema path up to the failing keyword's parent. */
  schemaPath: string[];
  /** Ordering within the schema (jsonschema iterates keywords and properties in schema order). */
  order: number[];
  schema: unknown;
  instance: unknown;
}

function decode(pointer: string): string[] {
  if (pointer === '' || pointer === '#') return [];
  return pointer.replace(/^#/, '').split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function at(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const key of path) cur = (cur as Record<string, unknown> | undefined)?.[key];
  return cur;
}

/** Positions of each schema path segment among its siblings, for schema-order comparison. */
function orderOf(schema: unknown, path: readonly string[]): number[] {
  const out: number[] = [];
  let cur = schema;
  for (const key of path) {
    const keys = cur && typeof cur === 'object' ? Object.keys(cur) : [];
    out.push(Math.max(0, keys.indexOf(key)));
    cur = (cur as Record<string, unknown> | undefined)?.[key];
  }
  return out;
}

function compareOrder(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const quoted = (values: readonly unknown[]): string => values.map((v) => pyRepr(v)).join(', ');

function describe(err: ErrorObject, instance: unknown, schema: Record<string, unknown>, extras: string[]): string {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required': return `${pyRepr(p['missingProperty'])} is a required property`;
    case 'additionalProperties': {
      if (schema['patternProperties'] && typeof schema['patternProperties'] === 'object') {
        const patterns = Object.keys(schema['patternProperties'] as object).sort();
        return `${quoted([...extras].sort())} ${extras.length === 1 ? 'does' : 'do'} not match any of the regexes: ${quoted(patterns)}`;
      }
      return `Additional properties are not allowed (${quoted(extras)} ${extras.length === 1 ? 'was' : 'were'} unexpected)`;
    }
    case 'type': return `${pyRepr(instance)} is not of type ${quoted([p['type']].flat() as string[])}`;
    case 'minimum': return `${pyRepr(instance)} is less than the minimum of ${pyRepr(p['limit'])}`;
    case 'maximum': return `${pyRepr(instance)} is greater than the maximum of ${pyRepr(p['limit'])}`;
    case 'minLength': case 'minItems': return `${pyRepr(instance)} is too short`;
    case 'maxLength': case 'maxItems': return `${pyRepr(instance)} is too long`;
    case 'minProperties': return `${pyRepr(instance)} does not have enough properties`;
    case 'uniqueItems': return `${pyRepr(instance)} has non-unique elements`;
    case 'pattern': return `${pyRepr(instance)} does not match ${pyRepr(p['pattern'])}`;
    case 'format': return `${pyRepr(instance)} is not a ${pyRepr(p['format'])}`;
    case 'enum': return `${pyRepr(instance)} is not one of ${pyRepr(p['allowedValues'])}`;
    case 'anyOf': return `${pyRepr(instance)} is not valid under any of the given schemas`;
    default: return `${pyRepr(instance)} ${err.message ?? 'is invalid'}`;
  }
}

/** Python's pprint of a value on one line, dict keys sorted (what jsonschema's str() shows). */
function pretty(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.keys(value).sort().map((k) => `${pyRepr(k)}: ${pretty((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(', ')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(pretty).join(', ')}]`;
  return pyRepr(value);
}

const index = (path: readonly string[]): string => path.map((p) => `[${pyRepr(/^\d+$/.test(p) ? Number(p) : p)}]`).join('');

function toViolations(errors: readonly ErrorObject[], data: unknown, schema: JsonSchema): Violation[] {
  // An anyOf error stands for the failures of its branches (jsonschema keeps them as context).
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath.replace(/\/anyOf$/, '/anyOf/'));
  const kept = errors.filter((e) => !anyOfPaths.some((prefix) => e.schemaPath.startsWith(prefix)));
  const grouped = new Map<string, { err: ErrorObject; extras: string[] }>();
  for (const err of kept) {
    const key = `${err.instancePath}|${err.schemaPath}`;
    const extra = err.keyword === 'additionalProperties' ? String((err.params as Record<string, unknown>)['additionalProperty']) : undefined;
    const seen = grouped.get(key);
    if (seen && extra !== undefined) seen.extras.push(extra);
    else if (!seen) grouped.set(key, { err, extras: extra === undefined ? [] : [extra] });
  }
  return [...grouped.values()].map(({ err, extras }) => {
    const path = decode(err.instancePath);
    const full = decode(err.schemaPath);
    const schemaPath = full.slice(0, -1);
    const sub = at(schema, schemaPath) as Record<string, unknown>;
    const instance = at(data, path);
    return {
      message: describe(err, instance, sub ?? {}, extras), keyword: err.keyword, path, schemaPath, order: orderOf(schema, full),
      schema: sub, instance,
    };
  });
}

/** jsonschema's best_match: the shallowest error, anyOf/oneOf after the others, then the first. */
function bestMatch(violations: Violation[]): Violation | undefined {
  const weak = (v: Violation): number => (v.keyword === 'anyOf' || v.keyword === 'oneOf' ? 1 : 0);
  return [...violations].sort((a, b) => a.path.length - b.path.length || weak(a) - weak(b) || compareOrder(a.order, b.order))[0];
}

/** str(ValidationError) of jsonschema. */
function render(v: Violation): string {
  const indent = (text: string): string => text.split('\n').map((l) => `    ${l}`).join('\n');
  return `${v.message}\n\nFailed validating ${pyRepr(v.keyword)} in schema${index(v.schemaPath)}:\n${indent(pretty(v.schema))}\n\n` +
    `On instance${index(v.path)}:\n${indent(pretty(v.instance))}`;
}

/** The jsonschema error text for `data`, or undefined when it is valid. */
export function validationError(schema: JsonSchema, data: unknown): string | undefined {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    compiled.set(schema, fn);
  }
  if (fn(data)) return undefined;
  const best = bestMatch(toViolations(fn.errors ?? [], data, schema));
  return best ? render(best) : 'invalid';
}
