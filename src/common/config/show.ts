/**
 * Renders the effective configuration as INI text for `nubo config show`: secrets masked as
 * `***`, passwords inside URLs masked too, each value followed by a comment naming its source.
 * The output is for reading: oslo INI has no trailing comments, so it is not meant to be fed
 * back as a config file as is.
 */
import { describeSource, type ValueSource } from './source.js';

/** One option as shown. */
export interface ShownEntry {
  readonly key: string;
  /** The effective value as text (after interpolation). */
  readonly text: string;
  readonly source: ValueSource;
  /** A secret option, or a value that references one. */
  readonly secret: boolean;
}

export interface ShownGroup {
  readonly name: string;
  readonly entries: readonly ShownEntry[];
}

export const MASK = '***';

/**
 * Masks the password of every `user:password@` in URLs (`mysql://nova:***@db/nova`), including
 * each host of oslo.messaging's multi-host form (`rabbit://a:***@h1,b:***@h2/`). It errs towards
 * masking too much: the user info runs to the last `@` before any space, `?` or `#`.
 */
export function maskUrlPasswords(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s?#]*)@/gi, (_m, scheme: string, region: string) => {
    const masked = region
      .split(/(@[^@,]*,)/)
      .map((part, i) => {
        if (i % 2 === 1) return part; // an "@host," separator
        const colon = part.indexOf(':');
        return colon >= 0 && colon < part.length - 1 ? `${part.slice(0, colon + 1)}${MASK}` : part;
      })
      .join('');
    return `${scheme}${masked}@`;
  });
}

/** The text shown for a value. */
export function shownValue(entry: Pick<ShownEntry, 'text' | 'secret'>): string {
  if (entry.secret) return entry.text === '' ? '' : MASK;
  return maskUrlPasswords(entry.text);
}

/** Column the source comments are aligned to, at most. */
const MAX_ALIGN = 56;

export function renderShow(groups: readonly ShownGroup[], files: readonly string[]): string {
  const out: string[] = [
    '# Effective Nubo configuration. Secrets are masked; the comment after each value says where',
    '# it came from: default, FILE:LINE, env NAME or cli (precedence: default < files < env < cli).',
    `# Files read: ${files.length === 0 ? '(none)' : files.join(', ')}`,
  ];
  for (const group of groups) {
    out.push('', `[${group.name}]`);
    const lines = group.entries.map((e) => {
      const value = shownValue(e).replaceAll('\n', '\n    ');
      return { body: value === '' ? `${e.key} =` : `${e.key} = ${value}`, source: describeSource(e.source) };
    });
    const width = Math.min(MAX_ALIGN, Math.max(0, ...lines.map((l) => lastLine(l.body).length)));
    for (const l of lines) out.push(`${l.body}${' '.repeat(Math.max(1, width - lastLine(l.body).length + 2))}# ${l.source}`);
  }
  return `${out.join('\n')}\n`;
}

function lastLine(text: string): string {
  return text.slice(text.lastIndexOf('\n') + 1);
}
