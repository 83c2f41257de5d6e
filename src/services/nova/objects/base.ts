/**
 * Nova's versioned objects (oslo.versionedobjects as nova/objects/base.py uses it), reduced to
 * what travels: a NovaObject is a named, versioned record of fields; on the bus it is the
 * primitive `{"nova_object.name", "nova_object.namespace": "nova", "nova_object.version",
 * "nova_object.data", "nova_object.changes"}`, with nested objects as primitives inside the data.
 * NovaObjectSerializer (nova's NovaObjectSerializer) turns objects found anywhere in RPC
 * arguments, results and notification payloads into primitives and back, rebuilding each class
 * from the registry. Objects are plain records here: reads and saves are the repositories' job
 * (db/), not the objects' as in nova.
 */
import type { RequestContext } from '../../../common/context.js';
import type { EntitySerializer } from '../../../common/messaging/index.js';

export const OBJ_NAME = 'nova_object.name';
export const OBJ_NAMESPACE = 'nova_object.namespace';
export const OBJ_VERSION = 'nova_object.version';
export const OBJ_DATA = 'nova_object.data';
export const OBJ_CHANGES = 'nova_object.changes';

/** The class side of an object: its registered name and version, and how to rebuild it. */
export interface NovaObjectClass<T extends NovaObject<object> = NovaObject<object>> {
  readonly objName: string;
  readonly VERSION: string;
  new (data: any): T;
}

/** A versioned object: `data` holds its fields under nova's names. */
export abstract class NovaObject<F extends object> {
  constructor(readonly data: F) {}

  get objName(): string {
    return (this.constructor as NovaObjectClass).objName;
  }

  get objVersion(): string {
    return (this.constructor as NovaObjectClass).VERSION;
  }
}

/** A NovaObject's fields as a plain object (the primitive's data, with nested objects still objects). */
export type FieldsOf<T> = T extends NovaObject<infer F> ? F : never;

const registry = new Map<string, NovaObjectClass>();

/** Register object classes so that their primitives are rebuilt into them. */
export function registerObjects(...classes: NovaObjectClass<any>[]): void {
  for (const cls of classes) registry.set(cls.objName, cls);
}

/** An object's primitive: every nested object (in fields, lists, dicts) in primitive form too. */
export function toPrimitive(value: unknown): unknown {
  if (value instanceof NovaObject) {
    const data: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value.data as Record<string, unknown>)) if (v !== undefined) data[k] = toPrimitive(v);
    return {
      [OBJ_NAME]: value.objName,
      [OBJ_NAMESPACE]: 'nova',
      [OBJ_VERSION]: value.objVersion,
      [OBJ_DATA]: data,
      [OBJ_CHANGES]: Object.keys(data),
    };
  }
  if (Array.isArray(value)) return value.map(toPrimitive);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toPrimitive(v)]));
  }
  return value;
}

/** Thrown for a primitive naming an object this process does not know (nova's UnsupportedObjectError). */
export class UnsupportedObjectError extends Error {
  constructor(name: string, version: string) {
    super(`Unsupported object type ${name} (version ${version})`);
    this.name = 'UnsupportedObjectError';
  }
}

function isPrimitiveObject(v: unknown): v is Record<string, unknown> {
  return Boolean(v && typeof v === 'object' && !Array.isArray(v) && typeof (v as Record<string, unknown>)[OBJ_NAME] === 'string');
}

/** Rebuild objects from primitives found anywhere in `value`. */
export function fromPrimitive(value: unknown): unknown {
  if (isPrimitiveObject(value)) {
    const name = String(value[OBJ_NAME]);
    const version = String(value[OBJ_VERSION] ?? '1.0');
    const cls = registry.get(name);
    if (!cls || cls.VERSION.split('.')[0] !== version.split('.')[0]) throw new UnsupportedObjectError(name, version);
    const data = value[OBJ_DATA] && typeof value[OBJ_DATA] === 'object' ? (value[OBJ_DATA] as Record<string, unknown>) : {};
    return new cls(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, fromPrimitive(v)])));
  }
  if (Array.isArray(value)) return value.map(fromPrimitive);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromPrimitive(v)]));
  return value;
}

/** nova's NovaObjectSerializer: the entity serializer under the RequestContextSerializer. */
export class NovaObjectSerializer implements EntitySerializer<RequestContext> {
  serializeEntity(_ctxt: RequestContext, entity: unknown): unknown {
    return toPrimitive(entity);
  }
  deserializeEntity(_ctxt: RequestContext, entity: unknown): unknown {
    return fromPrimitive(entity);
  }
}

/** An RPC argument that must be an object of `cls` (a caller sending something else is a bug). */
export function expectObject<T extends NovaObject<object>>(value: unknown, cls: NovaObjectClass<T>, what: string): T {
  if (value instanceof cls) return value;
  throw new TypeError(`${what}: expected a ${cls.objName} object`);
}
