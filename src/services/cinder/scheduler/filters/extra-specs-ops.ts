/**
 * cinder/scheduler/filters/extra_specs_ops.py: a volume type's extra spec value matched
 * against a capability. `<in>`, `<is>`, `<or>`, `==`, `!=`, `>=`, `<=`, string comparisons
 * `s==`, `s!=`, `s<`, `s<=`, `s>`, `s>=`; a plain number means at least; anything else must be
 * equal.
 */
export function isTrueSpec(v: string | undefined): boolean {
  return v !== undefined && /^\s*(<is>\s*)?(true|True|TRUE|1|yes|on)\s*$/.test(v);
}

const STRING_OPS: Record<string, (a: string, b: string) => boolean> = {
  's==': (a, b) => a === b, 's!=': (a, b) => a !== b, 's<': (a, b) => a < b, 's<=': (a, b) => a <= b, 's>': (a, b) => a > b, 's>=': (a, b) => a >= b,
};
const NUMBER_OPS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a >= b, '==': (a, b) => a === b, '!=': (a, b) => a !== b, '>=': (a, b) => a >= b, '<=': (a, b) => a <= b,
};

export function match(value: unknown, req: string): boolean {
  if (value === undefined || value === null) return false;
  const text = typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value);
  const words = req.trim().split(/\s+/);
  const op = words[0] ?? '';
  if (op === '<or>') {
    const options = words.filter((_w, i) => i % 2 === 1);
    return options.includes(text);
  }
  if (op === '<in>') return words.length > 1 && text.includes(words.slice(1).join(' '));
  if (op === '<is>') {
    const want = (words[1] ?? '').toLowerCase();
    const have = text.toLowerCase();
    return (want === 'true' || want === 'false') && have === want;
  }
  if (words.length >= 2 && op in STRING_OPS) return STRING_OPS[op]!(text, words.slice(1).join(' '));
  if (words.length >= 2 && op in NUMBER_OPS) {
    const a = Number(text);
    const b = Number(words[1]);
    return Number.isFinite(a) && Number.isFinite(b) && NUMBER_OPS[op]!(a, b);
  }
  return text === req.trim() || (typeof value === 'boolean' && isTrueSpec(req) === value);
}
