/**
 * Text of any request value for messages and lookups, never throwing. String() and template
 * literals throw TypeError on an object from a parsed body whose `toString` is not a function
 * (`{"toString": "x"}`, or an array holding one), and such objects reach the messages of bad
 * requests. Objects and arrays are shown as JSON.
 */
export function displayValue(value: unknown): string {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
