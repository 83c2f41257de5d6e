/**
 * Extra spec validation from 2.86 (nova/api/validation/extra_specs/validators.py and base.py):
 * a known name is checked against its definition (type, enum, pattern, bounds); an unknown
 * name in a namespace nova knows ('hw:', 'trait...:', ...) is refused; a name outside every
 * known namespace, or without one, is let through as upstream does.
 */
import { ValidationError } from '../../errors.js';
import { EXTRA_SPEC_DEFINITIONS, type ExtraSpecDefinition } from './definitions.js';

interface Validator {
  def: ExtraSpecDefinition;
  /** The name with its placeholders as named groups, whole-string. */
  name: RegExp;
  value?: RegExp;
}

/** A Python regular expression as a JavaScript one matching the whole string (re.fullmatch). */
function fullMatch(pythonRegex: string): RegExp {
  return new RegExp(`^(?:${pythonRegex.replace(/\(\?P</g, '(?<')})$`, 'u');
}

function compile(def: ExtraSpecDefinition): { regex: string; validator: Validator } {
  let regex = def.name;
  for (const p of def.parameters ?? []) regex = regex.replace(`{${p.name}}`, `(?P<${p.name}>${p.pattern})`);
  return { regex, validator: { def, name: fullMatch(regex), ...(def.type === 'str' && def.pattern ? { value: fullMatch(def.pattern) } : {}) } };
}

const BY_NAME = new Map<string, Validator>();
const NAMESPACES: RegExp[] = [];
{
  const seen = new Set<string>();
  for (const def of EXTRA_SPEC_DEFINITIONS) {
    const { regex, validator } = compile(def);
    BY_NAME.set(def.name, validator);
    if (regex.includes(':')) {
      const ns = regex.split(':', 1)[0]!;
      if (!seen.has(ns)) { seen.add(ns); NAMESPACES.push(fullMatch(ns)); }
    }
  }
}

const TRUE = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE = ['0', 'f', 'false', 'off', 'n', 'no'];

function checkValue(v: Validator, value: string): void {
  const def = v.def;
  if (def.type === 'int') {
    // Python's int(): optional blanks and sign around decimal digits.
    if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new ValidationError(`Validation failed; '${value}' is not a valid integer value.`);
    const n = Number(value);
    if (def.max !== undefined && def.max < n) throw new ValidationError(`Validation failed; '${n}' is greater than the max value of '${def.max}'.`);
    if (def.min !== undefined && def.min > n) throw new ValidationError(`Validation failed; '${n}' is less than the min value of '${def.min}'.`);
  } else if (def.type === 'bool') {
    const v2 = value.trim().toLowerCase();
    if (!TRUE.includes(v2) && !FALSE.includes(v2)) throw new ValidationError(`Validation failed; '${value}' is not a valid boolean-like value.`);
  } else if (v.value) {
    if (!v.value.test(value)) throw new ValidationError(`Validation failed; '${value}' is not of the format '${def.pattern}'.`);
  } else if (def.enum && !def.enum.includes(value)) {
    throw new ValidationError(`Validation failed; '${value}' is not one of: ${def.enum.join(', ')}.`);
  }
}

/** @throws ValidationError (400) when nova would refuse the extra spec */
export function validateExtraSpec(name: string, value: string): void {
  const exact = BY_NAME.get(name);
  if (exact && exact.name.test(name)) return checkValue(exact, value);
  for (const v of BY_NAME.values()) {
    if (v.name.test(name)) return checkValue(v, value);
  }
  if (!name.includes(':')) return;
  const ns = name.split(':', 1)[0]!;
  if (!NAMESPACES.some((re) => re.test(ns))) return;
  throw new ValidationError(`Validation failed; extra spec '${name}' does not appear to be a valid extra spec.`);
}
