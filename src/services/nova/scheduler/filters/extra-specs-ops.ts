/**
 * nova/scheduler/filters/extra_specs_ops.py: whether a host value satisfies an extra spec
 * requirement: `= 4` (at least), `== 4`, `!= 4`, `>= 4`, `<= 4` (numbers), `s== x`, `s!= x`,
 * `s< x` ... (strings), `<in> x` (substring), `<all-in> a b`, `<or> a <or> b`, else equality.
 */
const num = (s: string): number => Number.parseFloat(s);

const OPS: Record<string, (value: string, arg: string) => boolean> = {
  '=': (x, y) => num(x) >= num(y),
  '<in>': (x, y) => x.includes(y),
  '==': (x, y) => num(x) === num(y),
  '!=': (x, y) => num(x) !== num(y),
  '>=': (x, y) => num(x) >= num(y),
  '<=': (x, y) => num(x) <= num(y),
  's==': (x, y) => x === y,
  's!=': (x, y) => x !== y,
  's<': (x, y) => x < y,
  's<=': (x, y) => x <= y,
  's>': (x, y) => x > y,
  's>=': (x, y) => x >= y,
};

export function matchExtraSpec(value: string | null | undefined, req: string): boolean {
  const words = req.split(/\s+/).filter(Boolean);
  const op = words.shift();
  if (op !== '<or>' && op !== '<all-in>' && (op === undefined || !(op in OPS))) return value === req;
  if (value === null || value === undefined) return false;
  if (op === '<or>') {
    for (let i = 0; i < words.length; i += 2) if (words[i] === value) return true;
    return false;
  }
  if (words.length === 0) return false;
  if (op === '<all-in>') return words.every((w) => value.includes(w));
  return OPS[op!]!(value, words[0]!);
}
