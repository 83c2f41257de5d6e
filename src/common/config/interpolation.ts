/**
 * oslo.config-style `$` references inside option values:
 * `$key` / `${key}` (same group, then DEFAULT), `${group.key}` and `$group.key` (when `group`
 * names a known group), and `$$` for a literal `$`. Anything else after a `$` is an error, as
 * in oslo (Python's string.Template). Resolution (lookup, cycles) is the caller's job.
 */
import { OptValueError } from './errors.js';

export interface InterpolationHooks {
  /** Returns the text a reference stands for (`key` or `group.key`); may throw. */
  lookup(ref: string): string;
  /** Whether `name` is a group, so that `$name.key` reads as a reference to `[name] key`. */
  isGroup(name: string): boolean;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_REST = /[A-Za-z0-9_]/;

function readIdent(text: string, from: number): number {
  let end = from;
  if (end < text.length && IDENT_START.test(text[end]!)) {
    end++;
    while (end < text.length && IDENT_REST.test(text[end]!)) end++;
  }
  return end;
}

/** Replaces every reference in `text`. Throws OptValueError on malformed syntax. */
export function interpolate(text: string, hooks: InterpolationHooks): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = text.indexOf('}', dollar + 2);
      const ref = close < 0 ? '' : text.slice(dollar + 2, close);
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(ref)) {
        throw new OptValueError(`has a malformed "\${" reference at offset ${dollar} (use \${key} or \${group.key}; $$ for a literal $)`);
      }
      out += hooks.lookup(ref);
      i = close + 1;
    } else {
      let end = readIdent(text, dollar + 1);
      if (end === dollar + 1) {
        throw new OptValueError(`has a "$" at offset ${dollar} that starts no reference (write $$ for a literal $)`);
      }
      const name = text.slice(dollar + 1, end);
      if (text[end] === '.' && hooks.isGroup(name)) {
        const keyEnd = readIdent(text, end + 1);
        if (keyEnd > end + 1) end = keyEnd;
      }
      out += hooks.lookup(text.slice(dollar + 1, end));
      i = end;
    }
  }
  return out;
}
