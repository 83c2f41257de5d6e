import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from './config.js';
import { defineGroup, opt } from './options.js';
import { maskUrlPasswords } from './show.js';

describe('maskUrlPasswords', () => {
  const cases: [string, string][] = [
    ['mysql+pymysql://nova:p;w@db/nova', 'mysql+pymysql://nova:***@db/nova'],
    ['rabbit://a:b@h1:5672,c:d@h2:5672/', 'rabbit://a:***@h1:5672,c:***@h2:5672/'],
    ['postgresql://u:pa/ss@h/db', 'postgresql://u:***@h/db'],
    ['postgresql://user@host/db', 'postgresql://user@host/db'],
    ['inproc://', 'inproc://'],
    ['sqlite', 'sqlite'],
    ['a http://u:p@h b', 'a http://u:***@h b'],
  ];
  for (const [input, expected] of cases) {
    test(input, () => assert.equal(maskUrlPasswords(input), expected));
  }
});

describe('Config.show', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-show-'));
  const file = join(dir, 'nubo.conf');
  writeFileSync(file, '[DEFAULT]\nbind = 0.0.0.0:9000\n\n[database]\nconnection = mysql://nubo:p;w@db/nubo_{service}\n');
  const main = defineGroup('DEFAULT', 'h', {
    bind: opt.hostPort('127.0.0.1:8880', 'h', { env: 'NUBO_BIND' }),
    services: opt.list(['identity', 'image'], 'h'),
    debug: opt.bool(false, 'h'),
    public_url: opt.str('', 'h'),
    motd: opt.str('', 'h'),
  });
  const db = defineGroup('database', 'h', {
    connection: opt.str('sqlite', 'h'),
    password: opt.str('', 'h', { secret: true }),
    unset_secret: opt.str('', 'h', { secret: true }),
    dsn: opt.str('postgresql://nubo:$password@h/db', 'h'),
  });
  const config = Config.load({
    groups: [main, db],
    files: [file],
    env: { NUBO_DATABASE__PASSWORD: 'hunter2', NUBO_DEFAULT__DEBUG: 'yes', NUBO_DEFAULT__MOTD: 'line one\nline two' },
    overrides: { 'DEFAULT.services': 'identity' },
  });
  const shown = config.show();
  const lines = shown.split('\n');
  const line = (prefix: string): string => {
    const found = lines.find((l) => l.startsWith(prefix));
    assert.ok(found, `no line starting with ${prefix}:\n${shown}`);
    return found;
  };

  test('is INI with a header naming the files', () => {
    assert.match(shown, /^# Effective Nubo configuration/);
    assert.ok(shown.includes(`# Files read: ${file}\n`));
    assert.ok(shown.includes('\n[DEFAULT]\n'));
    assert.ok(shown.includes('\n[database]\n'));
    assert.ok(shown.indexOf('[DEFAULT]') < shown.indexOf('[database]'));
    assert.ok(shown.endsWith('\n'));
  });

  test('each value carries its source in a trailing comment', () => {
    assert.match(line('bind = '), new RegExp(`^bind = 0\\.0\\.0\\.0:9000 +# ${file.replace(/\./g, '\\.')}:2$`));
    assert.match(line('services = '), /^services = identity +# cli$/);
    assert.match(line('debug = '), /^debug = true +# env NUBO_DEFAULT__DEBUG$/);
    assert.match(line('public_url ='), /^public_url = +# default$/);
  });

  test('source comments are aligned within a group', () => {
    const columns = ['bind = ', 'services = ', 'debug = '].map((p) => line(p).indexOf('#'));
    assert.equal(new Set(columns).size, 1);
  });

  test('secrets, values that reference them and URL passwords are masked', () => {
    assert.match(line('password = '), /^password = \*\*\* +# env NUBO_DATABASE__PASSWORD$/);
    assert.match(line('unset_secret ='), /^unset_secret = +# default$/);
    assert.match(line('dsn = '), /^dsn = \*\*\* +# default$/);
    assert.match(line('connection = '), new RegExp('^connection = mysql://nubo:\\*\\*\\*@db/nubo_\\{service\\} +# '));
    assert.ok(!shown.includes('hunter2'));
    assert.ok(!shown.includes('p;w'));
    // the values themselves are not masked
    assert.equal(config.get(db).dsn, 'postgresql://nubo:hunter2@h/db');
  });

  test('multi-line values continue on indented lines', () => {
    assert.ok(lines.includes('motd = line one'));
    assert.match(line('    line two'), /^ {4}line two +# env NUBO_DEFAULT__MOTD$/);
  });
});
