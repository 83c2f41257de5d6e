/**
 * Lookups of names a client chose (path segments, query keys, body keys) in plain objects and
 * records: only the object's own properties count. `obj[name]` alone would also find
 * `__proto__`, `constructor`, `toString`, ... on Object.prototype (and `name in obj` says
 * true for them: use `Object.hasOwn(obj, name)` instead).
 */

/** obj[key] when obj has it as an own property, else undefined. */
export function ownValue<V>(obj: Readonly<Partial<Record<string, V>>>, key: string): V | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * obj[key] = value as an own data property, also for key `__proto__`, which a plain assignment
 * would take as a new prototype (and drop when the value is not an object).
 */
export function setOwnValue<V>(obj: Record<string, V>, key: string, value: V): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
