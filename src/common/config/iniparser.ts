/**
 * Parser for oslo-style INI files (nova.conf, keystone.conf, nubo.conf).
 *
 * A hand-written port of the behaviour of oslo_config/iniparser.py plus the section/value
 * bookkeeping of oslo_config.cfg.ConfigParser. Written by hand because the `ini` package mangles
 * oslo files (it cuts values at `;`, keeps only the last of repeated keys and turns continuation
 * lines into keys). The rules, as in oslo:
 * - a comment is a line whose first character is `#` or `;`; nothing else is a comment, so a
 *   value may contain `;` or `#` (`connection = mysql://nova:p;w@db/nova`);
 * - `key = value` or `key: value` (whichever of `=` / `:` comes first splits the line); key and
 *   value are trimmed and one pair of matching surrounding quotes (`"` or `'`) is removed;
 * - a line starting with a space or tab continues the previous value (joined with "\n"); a blank
 *   line ends the value;
 * - `[section]` starts a section; a key may repeat and then holds several values, in order;
 * - an assignment before any section header is an error.
 * Differences: a leading UTF-8 byte order mark is ignored, and each value keeps its line number.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, IniParseError } from './errors.js';

/** One assignment of a key: its value (continuation lines joined with "\n") and its line. */
export interface IniEntry {
  readonly value: string;
  readonly line: number;
}

/** One section: the line of its first header, and each key's values in file order. */
export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: Map<string, IniEntry[]>;
}

/** A parsed file: its sections in file order (a repeated header continues the same section). */
export interface IniDocument {
  readonly file: string;
  readonly sections: Map<string, IniSection>;
}

/** Parses INI text; `file` is only used in error messages. Throws IniParseError. */
export function parseIni(text: string, file = '<string>'): IniDocument {
  const sections = new Map<string, IniSection>();
  let section: IniSection | undefined;
  let pending: { key: string; value: string[]; line: number } | undefined;
  const fail = (reason: string, lineno: number, line: string): never => {
    throw new IniParseError(reason, file, lineno, line);
  };

  const flush = (): void => {
    if (!pending) return;
    if (!section) fail('Section must be started before assignment', pending.line, pending.key);
    const values = section!.entries.get(pending.key) ?? [];
    values.push({ value: pending.value.join('\n'), line: pending.line });
    section!.entries.set(pending.key, values);
    pending = undefined;
  };

  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((rawLine, index) => {
    const lineno = index + 1;
    const line = rawLine.trimEnd();
    if (line === '') {
      flush(); // a blank line ends a multi-line value
      return;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!pending) fail('Unexpected continuation line', lineno, line);
      pending!.value.push(line.trimStart());
      return;
    }
    flush();
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) fail('Invalid section (must end with ])', lineno, line);
      if (line.length <= 2) fail('Empty section name', lineno, line);
      const name = line.slice(1, -1);
      section = sections.get(name);
      if (!section) {
        section = { name, line: lineno, entries: new Map() };
        sections.set(name, section);
      }
    } else if (line.startsWith('#') || line.startsWith(';')) {
      // comment
    } else {
      const { key, value } = splitKeyValue(line, lineno, fail);
      if (!key) fail('Key cannot be empty', lineno, line);
      pending = { key, value: [value], line: lineno };
    }
  });
  flush();
  return { file, sections };
}

function splitKeyValue(
  line: string,
  lineno: number,
  fail: (reason: string, lineno: number, line: string) => never,
): { key: string; value: string } {
  const colon = line.indexOf(':');
  const equal = line.indexOf('=');
  if (colon < 0 && equal < 0) fail("No ':' or '=' found in assignment", lineno, line);
  const at = colon < 0 || (equal >= 0 && equal < colon) ? equal : colon;
  let value = line.slice(at + 1).trim();
  if (value !== '' && (value[0] === '"' || value[0] === "'") && value[0] === value[value.length - 1]) {
    value = value.slice(1, -1);
  }
  return { key: line.slice(0, at).trim(), value };
}

/** Reads and parses one file. A missing or unreadable file is a ConfigError. */
export function readIniFile(path: string): IniDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : String(err);
    throw new ConfigError(`cannot read config file ${path}: ${why}`, { source: path, cause: err });
  }
  return parseIni(text, path);
}
