/**
 * The bits of Python value semantics the oslo.policy language depends on: generic checks
 * compare `str(value)` of a credential or target value against a string, the left side of a
 * generic check may be a Python literal (`ast.literal_eval`), and `%(key)s` substitutions are
 * Python %-formatting against the target mapping. Written by hand: these are small, exact
 * emulations with no library equivalent.
 */

/** Python's `str()` of a JSON-like value (`True`, `None`, `['a', 'b']`, `{'k': 1}`). */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/** Python's `repr()` of a JSON-like value. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : pyFloat(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
}

/** Python's repr of a float: shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
export function pyFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const frac = digits.slice(1);
    const expSign = exp < 0 ? '-' : '+';
    return `${sign}${digits[0]}${frac ? '.' + frac : ''}e${expSign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const fracPart = digits.slice(exp + 1);
  return `${sign}${intPart}.${fracPart || '0'}`;
}

const INT_RE = /^[+-]?(?:0(?:_?0)*|[1-9](?:_?[0-9])*)$/;
const RADIX_RE = /^([+-]?)0([xob])((?:_?[0-9a-f])+)$/i;
const FLOAT_RE = /^[+-]?(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;

/**
 * `str(ast.literal_eval(text))` for the literal forms a policy token can hold: quoted strings
 * (with an optional u/r prefix), True/False/None, integers (decimal, 0x, 0o, 0b) and floats.
 * Returns undefined when the text is not such a literal; oslo then treats the text as a dotted
 * credential key. Containers, bytes and complex numbers are not recognised (they never appear
 * in real policies) and are therefore treated as credential keys, which do not match.
 */
export function literalString(text: string): string | undefined {
  if (text === 'True' || text === 'False' || text === 'None') return text;
  const str = parseStringLiteral(text);
  if (str !== undefined) return str;
  if (INT_RE.test(text)) {
    const v = BigInt(text.replace(/_/g, '').replace(/^\+/, ''));
    return v.toString();
  }
  const radix = RADIX_RE.exec(text);
  if (radix) {
    const [, sign = '', base = 'x', body = ''] = radix;
    const digits = body.replace(/_/g, '');
    const valid = { x: /^[0-9a-f]+$/i, o: /^[0-7]+$/, b: /^[01]+$/ }[base.toLowerCase() as 'x' | 'o' | 'b'];
    if (!valid.test(digits)) return undefined;
    const v = BigInt(`0${base.toLowerCase()}${digits}`);
    return (sign === '-' ? -v : v).toString();
  }
  if (FLOAT_RE.test(text) && /[.eE]/.test(text)) return pyFloat(Number(text.replace(/_/g, '')));
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '',
};

function parseStringLiteral(text: string): string | undefined {
  const m = /^([uUrR]?)(['"])(.*)\2$/s.exec(text);
  if (!m) return undefined;
  const [, prefix = '', quote = "'", body = ''] = m;
  const raw = prefix === 'r' || prefix === 'R';
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === quote) return undefined; // an unescaped quote ends the literal early: not a single literal
    if (c !== '\\') { out += c; continue; }
    const next = body[i + 1];
    if (next === undefined) return undefined; // trailing backslash escapes the closing quote
    if (raw) { out += c + next; i++; continue; }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) { out += simple; i++; continue; }
    const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex > 0) {
      const code = body.slice(i + 2, i + 2 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(code)) return undefined;
      out += String.fromCodePoint(parseInt(code, 16));
      i += 1 + hex;
      continue;
    }
    out += c; // unknown escapes keep their backslash
  }
  return out;
}

/** Marker for a %-format that Python would reject or that needs a missing target key. */
export type FormatFailure = 'missing-key' | 'bad-format';

/**
 * `template % target` for the policy language: `%(key)s` and `%%`. The key is looked up as a
 * literal key of the target first (oslo's behaviour, which flat targets rely on); when absent,
 * a dotted key walks into nested objects (`%(target.project.id)s` against
 * `{ target: { project: { id } } }`), which is what keystone's flattened targets provide.
 */
export function pyFormat(template: string, target: Record<string, unknown>): string | FormatFailure {
  if (!template.includes('%')) return template;
  let out = '';
  let i = 0;
  while (i < template.length) {
    const pct = template.indexOf('%', i);
    if (pct < 0) { out += template.slice(i); break; }
    out += template.slice(i, pct);
    const next = template[pct + 1];
    if (next === '%') { out += '%'; i = pct + 2; continue; }
    if (next !== '(') return 'bad-format';
    // Python counts nested parentheses inside the key.
    let depth = 1;
    let j = pct + 2;
    for (; j < template.length && depth > 0; j++) {
      if (template[j] === '(') depth++;
      else if (template[j] === ')') depth--;
    }
    if (depth > 0) return 'bad-format';
    const key = template.slice(pct + 2, j - 1);
    if (template[j] !== 's') return 'bad-format';
    const value = lookupTarget(target, key);
    if (value === MISSING) return 'missing-key';
    out += pyStr(value);
    i = j + 1;
  }
  return out;
}

const MISSING = Symbol('missing');

function lookupTarget(target: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(target, key) && target[key] !== undefined) return target[key];
  if (!key.includes('.')) return MISSING;
  let cur: unknown = target;
  for (const part of key.split('.')) {
    if (!isRecord(cur) || !Object.hasOwn(cur, part)) return MISSING;
    cur = cur[part];
  }
  return cur === undefined ? MISSING : cur;
}

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
