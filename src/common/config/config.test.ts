import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorError } from '../errors.js';
import { Config, envVarName } from './config.js';
import { ConfigError } from './errors.js';
import { defineGroup, opt, type GroupDef } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'nubo-config-'));
let fileCount = 0;
function conf(text: string): string {
  const path = join(dir, `f${++fileCount}.conf`);
  writeFileSync(path, text);
  return path;
}

const main = defineGroup('DEFAULT', 'General', {
  data_dir: opt.str('./data', 'h', { env: 'NUBO_DATA_DIR' }),
  bind: opt.hostPort('127.0.0.1:8880', 'h', { env: 'NUBO_BIND' }),
  workers: opt.int(2, 'h', { min: 1 }),
  debug: opt.bool(false, 'h'),
  services: opt.list(['identity'], 'h'),
  state: opt.str('$data_dir/state', 'h'),
});
const db = defineGroup('database', 'DB', {
  connection: opt.str('sqlite', 'h', { deprecatedNames: ['sql_connection', 'DEFAULT.sql_connection'] }),
  password: opt.str('', 'h', { secret: true }),
  pool: opt.int(5, 'h'),
});

function load(opts: { files?: string[]; env?: Record<string, string>; overrides?: Record<string, string>; groups?: GroupDef<any>[] } = {}): Config {
  return Config.load({ groups: opts.groups ?? [main, db], files: opts.files, env: opts.env ?? {}, overrides: opts.overrides });
}

function configError(message: string | RegExp, fields: Partial<ConfigError> = {}) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.ok(err instanceof OperatorError);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    assert.ok(!err.message.includes('\n'), 'one line');
    for (const [k, v] of Object.entries(fields)) assert.equal((err as unknown as Record<string, unknown>)[k], v, k);
    return true;
  };
}

describe('Config.load: defaults and types', () => {
  test('defaults, typed and frozen', () => {
    const c = load();
    const v = c.get(main);
    assert.equal(v.workers, 2);
    assert.equal(v.debug, false);
    assert.deepEqual(v.services, ['identity']);
    assert.equal(v.state, './data/state');
    assert.ok(Object.isFrozen(v));
    assert.ok(Object.isFrozen(v.services));
    assert.equal(c.get(main), v, 'cached');
    assert.deepEqual(c.warnings, []);
  });

  test('values from a file are converted to their types', () => {
    const c = load({ files: [conf('[DEFAULT]\nworkers = 8\ndebug = yes\nservices = identity, image\n[database]\npool: 20\n')] });
    assert.equal(c.get(main).workers, 8);
    assert.equal(c.get(main).debug, true);
    assert.deepEqual(c.get(main).services, ['identity', 'image']);
    assert.equal(c.get(db).pool, 20);
  });

  test('a value with ; from a file stays whole', () => {
    const c = load({ files: [conf('[database]\nconnection = mysql+pymysql://nova:p;w@db/nova\n')] });
    assert.equal(c.get(db).connection, 'mysql+pymysql://nova:p;w@db/nova');
  });

  test('the last of repeated keys wins', () => {
    const c = load({ files: [conf('[DEFAULT]\nworkers = 3\nworkers = 4\n')] });
    assert.equal(c.get(main).workers, 4);
  });

  test('an invalid value names the option and the file line', () => {
    const file = conf('[DEFAULT]\n\nworkers = many\n');
    assert.throws(
      () => load({ files: [file] }),
      configError(`invalid value for [DEFAULT] workers from ${file}:3: "many" is not an integer`, {
        group: 'DEFAULT',
        key: 'workers',
        source: `${file}:3`,
      }),
    );
  });

  test('an invalid value names the env variable or cli', () => {
    assert.throws(
      () => load({ env: { NUBO_BIND: 'abc' } }),
      configError('invalid value for [DEFAULT] bind from env NUBO_BIND: "abc" is not host:port', { source: 'env NUBO_BIND' }),
    );
    assert.throws(
      () => load({ overrides: { 'DEFAULT.workers': '0' } }),
      configError('invalid value for [DEFAULT] workers from cli: "0" is below the minimum 1'),
    );
  });

  test('a bad interpolated default names the written text', () => {
    const g = defineGroup('g', 'h', { port: opt.int(1, 'h'), n: opt.int(0, 'h'), bad: opt.str('$n', 'h') });
    const c = Config.load({ groups: [g], env: { NUBO_G__N: '7' } });
    assert.equal(c.get(g).bad, '7');
    const h = defineGroup('h', 'h', { name: opt.str('x', 'h'), n: opt.int(0, 'h'), via: opt.int(0, 'h') });
    assert.throws(
      () => Config.load({ groups: [h], env: { NUBO_H__VIA: '$name' } }),
      configError('invalid value for [h] via from env NUBO_H__VIA: "x" (from "$name") is not an integer'),
    );
  });

  test('a secret value is not printed in errors', () => {
    const g = defineGroup('g', 'h', { key: opt.int(0, 'h', { secret: true }) });
    assert.throws(
      () => Config.load({ groups: [g], env: { NUBO_G__KEY: 'hunter2' } }),
      configError('invalid value for [g] key from env NUBO_G__KEY: (secret value) is not an integer'),
    );
  });

  test('a missing file is an error', () => {
    assert.throws(() => load({ files: [join(dir, 'nope.conf')] }), configError(/^cannot read config file .*nope\.conf: not found$/));
  });
});

describe('Config.load: precedence', () => {
  test('defaults < files (in order) < env < overrides', () => {
    const f1 = conf('[DEFAULT]\nworkers = 3\ndebug = true\ndata_dir = /one\nbind = 10.0.0.1:1\n');
    const f2 = conf('[DEFAULT]\nworkers = 4\ndata_dir = /two\n');
    const c = load({
      files: [f1, f2],
      env: { NUBO_DEFAULT__DATA_DIR: '/env', NUBO_DEFAULT__BIND: '10.0.0.2:2' },
      overrides: { 'DEFAULT.bind': '10.0.0.3:3' },
    });
    const v = c.get(main);
    assert.equal(v.debug, true); // only f1
    assert.equal(v.workers, 4); // f2 beats f1
    assert.equal(v.data_dir, '/env'); // env beats files
    assert.equal(v.bind, '10.0.0.3:3'); // cli beats env
    const sources = Object.fromEntries(c.entries().map((e) => [`${e.group}.${e.key}`, e.source]));
    assert.deepEqual(sources['DEFAULT.debug'], { kind: 'file', file: f1, line: 3 });
    assert.deepEqual(sources['DEFAULT.workers'], { kind: 'file', file: f2, line: 2 });
    assert.deepEqual(sources['DEFAULT.data_dir'], { kind: 'env', name: 'NUBO_DEFAULT__DATA_DIR' });
    assert.deepEqual(sources['DEFAULT.bind'], { kind: 'cli' });
    assert.deepEqual(sources['DEFAULT.services'], { kind: 'default' });
  });

  test('env names: NUBO_<GROUP>__<KEY>, plus aliases; the full name beats the alias', () => {
    assert.equal(envVarName('DEFAULT', 'transport_url'), 'NUBO_DEFAULT__TRANSPORT_URL');
    assert.equal(envVarName('database', 'connection'), 'NUBO_DATABASE__CONNECTION');
    assert.equal(load({ env: { NUBO_DATABASE__CONNECTION: 'postgresql://x/y' } }).get(db).connection, 'postgresql://x/y');
    assert.equal(load({ env: { NUBO_DATA_DIR: '/alias' } }).get(main).data_dir, '/alias');
    const both = load({ env: { NUBO_DATA_DIR: '/alias', NUBO_DEFAULT__DATA_DIR: '/full' } });
    assert.equal(both.get(main).data_dir, '/full');
    assert.equal(load({ env: { NUBO_DATA_DIR: '' } }).get(main).data_dir, '', 'an empty variable is a value');
  });

  test('env defaults to process.env', () => {
    const name = 'NUBO_DEFAULT__WORKERS';
    const before = process.env[name];
    process.env[name] = '6';
    try {
      assert.equal(Config.load({ groups: [main] }).get(main).workers, 6);
    } finally {
      if (before === undefined) delete process.env[name];
      else process.env[name] = before;
    }
  });

  test('overrides accept group.key, bare DEFAULT keys and dashes; unknown ones are errors', () => {
    const c = load({ overrides: { workers: '9', 'database.pool': '1', 'DEFAULT.data-dir': '/cli' } });
    assert.equal(c.get(main).workers, 9);
    assert.equal(c.get(db).pool, 1);
    assert.equal(c.get(main).data_dir, '/cli');
    assert.throws(() => load({ overrides: { 'database.nope': '1' } }), configError('unknown option [database] nope from cli'));
  });

  test('section names are case-insensitive; keys may use dashes', () => {
    const c = load({ files: [conf('[default]\nworkers = 5\n[DATABASE]\npool = 2\n[DEFAULT]\ndata-dir = /d\n')] });
    assert.equal(c.get(main).workers, 5);
    assert.equal(c.get(db).pool, 2);
    assert.equal(c.get(main).data_dir, '/d');
  });
});

describe('Config.load: warnings', () => {
  test('unknown sections and keys in files are warnings, not errors', () => {
    const file = conf('[DEFAULT]\nworkers = 3\nbogus = 1\n[keystone_authtoken]\nauth_url = x\n[database]\nidle = 1\n');
    const c = load({ files: [file] });
    assert.equal(c.get(main).workers, 3);
    assert.deepEqual(c.warnings, [
      `${file}:3: unknown option [DEFAULT] bogus (ignored)`,
      `${file}:4: unknown section [keystone_authtoken] (ignored)`,
      `${file}:7: unknown option [database] idle (ignored)`,
    ]);
  });

  test('unknown NUBO_<GROUP>__<KEY> variables are warnings; other variables are ignored', () => {
    const c = load({ env: { NUBO_DEFAULT__BOGUS: '1', NUBO_TEST_POSTGRES_URL: 'x', PATH: '/bin' } });
    assert.deepEqual(c.warnings, ['env NUBO_DEFAULT__BOGUS: no such option (ignored)']);
  });

  test('deprecated names are read, with a warning; the current name wins', () => {
    const file = conf('[DEFAULT]\nsql_connection = postgresql://old/a\n[database]\nsql_connection = postgresql://old/b\n');
    const c = load({ files: [file] });
    assert.equal(c.get(db).connection, 'postgresql://old/b');
    assert.deepEqual(c.warnings, [
      `${file}:2: [DEFAULT] sql_connection is deprecated, use [database] connection`,
      `${file}:4: [database] sql_connection is deprecated, use [database] connection`,
    ]);
    const both = load({ files: [conf('[database]\nconnection = postgresql://new\nsql_connection = postgresql://old\n')] });
    assert.equal(both.get(db).connection, 'postgresql://new');
    // a later file's deprecated name still beats an earlier file's current name
    const later = load({ files: [conf('[database]\nconnection = postgresql://one\n'), conf('[database]\nsql_connection = postgresql://two\n')] });
    assert.equal(later.get(db).connection, 'postgresql://two');
  });
});

describe('Config.load: interpolation', () => {
  const paths = defineGroup('DEFAULT', 'h', {
    base: opt.str('/srv', 'h'),
    cost: opt.str('$$5', 'h'),
  });
  const image = defineGroup('image', 'h', {
    base: opt.str('/img', 'h'),
    store: opt.str('$base/store', 'h'),
    other: opt.str('${DEFAULT.base}/x', 'h'),
    dotted: opt.str('$image.base.d', 'h'),
    braced: opt.str('${base}x', 'h'),
    from_default: opt.str('', 'h'),
  });
  const net = defineGroup('network', 'h', { dir: opt.str('$base/net', 'h'), img: opt.str('${image.store}/n', 'h') });

  test('$key (same group, then DEFAULT), ${key}, ${group.key}, $group.key and $$', () => {
    const c = Config.load({ groups: [paths, image, net], env: {} });
    assert.equal(c.get(paths).cost, '$5');
    assert.equal(c.get(image).store, '/img/store'); // same group first
    assert.equal(c.get(image).other, '/srv/x');
    assert.equal(c.get(image).dotted, '/img.d');
    assert.equal(c.get(image).braced, '/imgx');
    assert.equal(c.get(net).dir, '/srv/net'); // falls back to DEFAULT
    assert.equal(c.get(net).img, '/img/store/n'); // chained
  });

  test('references see the effective (overridden) values', () => {
    const file = conf('[DEFAULT]\nbase = /etc-base\n[image]\nfrom_default = ${DEFAULT.base}/f\n');
    const c = Config.load({ groups: [paths, image, net], files: [file], env: { NUBO_IMAGE__BASE: '/env-img' } });
    assert.equal(c.get(image).from_default, '/etc-base/f');
    assert.equal(c.get(image).store, '/env-img/store');
  });

  test('a cycle is an error that shows the chain', () => {
    const g = defineGroup('g', 'h', { a: opt.str('$b', 'h'), b: opt.str('${g.c}', 'h'), c: opt.str('x$a', 'h') });
    assert.throws(
      () => Config.load({ groups: [g], env: {} }),
      configError('invalid value for [g] a from default: interpolation cycle [g] a -> [g] b -> [g] c -> [g] a'),
    );
    const self = defineGroup('s', 'h', { me: opt.str('', 'h') });
    assert.throws(
      () => Config.load({ groups: [self], env: { NUBO_S__ME: '$me' } }),
      configError('invalid value for [s] me from env NUBO_S__ME: interpolation cycle [s] me -> [s] me'),
    );
  });

  test('an unknown reference is an error naming the option and its source', () => {
    const file = conf('[image]\nstore = $nope/x\n');
    assert.throws(
      () => Config.load({ groups: [paths, image], files: [file], env: {} }),
      configError(`invalid value for [image] store from ${file}:2: "$nope/x" references unknown option $nope in [image] or [DEFAULT]`),
    );
    assert.throws(
      () => Config.load({ groups: [paths, image], env: { NUBO_IMAGE__STORE: '${network.dir}' } }),
      configError('invalid value for [image] store from env NUBO_IMAGE__STORE: "${network.dir}" references unknown option $network.dir'),
    );
  });

  test('a stray $ is an error (write $$)', () => {
    assert.throws(
      () => Config.load({ groups: [paths], env: { NUBO_DEFAULT__BASE: 'pa$ !' } }),
      configError('invalid value for [DEFAULT] base from env NUBO_DEFAULT__BASE: "pa$ !" has a "$" at offset 2 that starts no reference (write $$ for a literal $)'),
    );
    assert.throws(
      () => Config.load({ groups: [paths], env: { NUBO_DEFAULT__BASE: '${unclosed' } }),
      configError(/"\$\{unclosed" has a malformed "\$\{" reference at offset 0/),
    );
  });
});

describe('Config: groups', () => {
  test('groups with the same name merge; get() returns only the group’s own options', () => {
    const extra = defineGroup('database', 'more', { timeout: opt.int(30, 'h') });
    const c = load({ groups: [main, db, extra], env: { NUBO_DATABASE__TIMEOUT: '31' } });
    assert.deepEqual(c.get(extra), { timeout: 31 });
    assert.deepEqual(Object.keys(c.get(db)), ['connection', 'password', 'pool']);
    assert.deepEqual(Object.keys(c.raw().database!), ['connection', 'password', 'pool', 'timeout']);
  });

  test('the same option name twice in one group is an error; the same group object twice is fine', () => {
    const clash = defineGroup('database', 'h', { pool: opt.int(1, 'h') });
    assert.throws(() => load({ groups: [db, clash] }), configError('option [database] pool is defined twice'));
    assert.doesNotThrow(() => load({ groups: [db, db] }));
  });

  test('get() of a group that was not loaded is an error', () => {
    const other = defineGroup('other', 'h', { x: opt.str('', 'h') });
    const c = load();
    assert.throws(() => c.get(other), configError('option [other] x was not registered when the configuration was loaded'));
  });

  test('raw() holds every effective value, unmasked', () => {
    const c = load({ env: { NUBO_DATABASE__PASSWORD: 's3cret' } });
    assert.equal(c.raw().database!.password, 's3cret');
    assert.deepEqual(c.raw().DEFAULT!.services, ['identity']);
  });
});
