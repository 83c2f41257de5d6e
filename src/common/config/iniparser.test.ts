import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, IniParseError } from './errors.js';
import { parseIni, readIniFile, type IniDocument } from './iniparser.js';

/** `{ section: { key: [values] } }` for compact assertions. */
function plain(doc: IniDocument): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [name, section] of doc.sections) {
    out[name] = Object.fromEntries([...section.entries].map(([k, v]) => [k, v.map((e) => e.value)]));
  }
  return out;
}

describe('parseIni', () => {
  test('sections, = and : assignments, trimmed keys and values', () => {
    const doc = parseIni('[DEFAULT]\nfoo = bar\nbaz:  qux  \n  \n[database]\nconnection=sqlite\n');
    assert.deepEqual(plain(doc), {
      DEFAULT: { foo: ['bar'], baz: ['qux'] },
      database: { connection: ['sqlite'] },
    });
  });

  test('the first of = and : splits the line', () => {
    const doc = parseIni('[s]\nurl = http://h:80/x\ntime: 10=20\n');
    assert.deepEqual(plain(doc), { s: { url: ['http://h:80/x'], time: ['10=20'] } });
  });

  test('comments only at line start; ; and # inside values are kept', () => {
    const doc = parseIni(
      '# comment\n; another\n[database]\nconnection = mysql+pymysql://nova:p;w@db/nova\nflags = a # not a comment\n',
    );
    assert.deepEqual(plain(doc), {
      database: { connection: ['mysql+pymysql://nova:p;w@db/nova'], flags: ['a # not a comment'] },
    });
  });

  test('one pair of matching surrounding quotes is stripped', () => {
    const doc = parseIni(`[s]\na = "quoted value"\nb = 'single'\nc = "mismatched'\nd = ""x""\ne = "\nf = say "hi"\n`);
    assert.deepEqual(plain(doc), {
      s: { a: ['quoted value'], b: ['single'], c: [`"mismatched'`], d: ['"x"'], e: [''], f: ['say "hi"'] },
    });
  });

  test('indented lines continue the value; a blank line ends it', () => {
    const doc = parseIni('[s]\nmulti = first\n  second\n\tthird\n\nnext = 1\n');
    assert.deepEqual(plain(doc), { s: { multi: ['first\nsecond\nthird'], next: ['1'] } });
  });

  test('an indented comment after a value is part of the value (as in oslo)', () => {
    const doc = parseIni('[s]\nk = v\n  # more\n');
    assert.deepEqual(plain(doc), { s: { k: ['v\n# more'] } });
  });

  test('repeated keys accumulate, with their line numbers', () => {
    const doc = parseIni('[s]\nk = 1\nk = 2\n[t]\nx = y\n[s]\nk = 3\n');
    const entries = doc.sections.get('s')!.entries.get('k')!;
    assert.deepEqual(entries, [
      { value: '1', line: 2 },
      { value: '2', line: 3 },
      { value: '3', line: 7 },
    ]);
    assert.equal(doc.sections.get('s')!.line, 1);
    assert.deepEqual([...doc.sections.keys()], ['s', 't']);
  });

  test('empty values, CRLF line endings and a byte order mark', () => {
    const doc = parseIni('\uFEFF[s]\r\nempty =\r\nk = v\r\n');
    assert.deepEqual(plain(doc), { s: { empty: [''], k: ['v'] } });
  });

  test('the value of a continuation keeps the line of its key', () => {
    const doc = parseIni('[s]\n\nk = a\n  b\n');
    assert.deepEqual(doc.sections.get('s')!.entries.get('k'), [{ value: 'a\nb', line: 3 }]);
  });

  const errors: [string, string, number][] = [
    ['[s]\njust a line\n', "No ':' or '=' found in assignment", 2],
    ['[s]\n= value\n', 'Key cannot be empty', 2],
    ['  indented\n', 'Unexpected continuation line', 1],
    ['[s]\nk = v\n\n  late\n', 'Unexpected continuation line', 4],
    ['[s\n', 'Invalid section (must end with ])', 1],
    ['[]\n', 'Empty section name', 1],
    ['k = v\n', 'Section must be started before assignment', 1],
  ];
  for (const [text, reason, line] of errors) {
    test(`error: ${reason} (line ${line})`, () => {
      assert.throws(
        () => parseIni(text, '/etc/nubo/nubo.conf'),
        (err: unknown) => {
          assert.ok(err instanceof IniParseError);
          assert.ok(err instanceof ConfigError);
          assert.equal(err.file, '/etc/nubo/nubo.conf');
          assert.equal(err.line, line);
          assert.match(err.message, new RegExp(`^/etc/nubo/nubo\\.conf:${line}: ${reason.replace(/[[\]()]/g, '\\$&')}: "`));
          return true;
        },
      );
    });
  }
});

describe('readIniFile', () => {
  test('reads a file and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nubo-ini-'));
    const good = join(dir, 'good.conf');
    const bad = join(dir, 'bad.conf');
    writeFileSync(good, '[DEFAULT]\nk = v\n');
    writeFileSync(bad, '[DEFAULT]\nk = v\noops\n');
    assert.equal(readIniFile(good).file, good);
    assert.deepEqual(plain(readIniFile(good)), { DEFAULT: { k: ['v'] } });
    assert.throws(() => readIniFile(bad), { name: 'IniParseError', message: `${bad}:3: No ':' or '=' found in assignment: "oops"` });
    assert.throws(() => readIniFile(join(dir, 'missing.conf')), {
      name: 'ConfigError',
      message: `cannot read config file ${join(dir, 'missing.conf')}: not found`,
    });
  });
});
