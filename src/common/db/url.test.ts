import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OperatorError } from '../errors.js';
import { DatabaseUrlError } from './errors.js';
import { type DatabaseTarget, maskUrl, parseDatabaseUrl, withDatabase } from './url.js';

const opts = { service: 'keystone', dataDir: '/var/lib/nubo' };
const parse = (url: string): DatabaseTarget => parseDatabaseUrl(url, opts);

describe('parseDatabaseUrl: SQLite', () => {
  test('the sqlite shorthand is <dataDir>/<service>.db', () => {
    assert.deepEqual(parse('sqlite'), { dialect: 'sqlite', service: 'keystone', filename: '/var/lib/nubo/keystone.db', url: 'sqlite:///var/lib/nubo/keystone.db' });
  });

  test('absolute, relative and in-memory forms', () => {
    const file = (url: string, dataDir = '/var/lib/nubo') => {
      const t = parseDatabaseUrl(url, { service: 'nova', dataDir });
      assert.equal(t.dialect, 'sqlite');
      return t.dialect === 'sqlite' ? t.filename : '';
    };
    assert.equal(file('sqlite:///abs/path.db'), '/abs/path.db');
    assert.equal(file('sqlite:////abs/path.db'), '/abs/path.db');
    assert.equal(file('sqlite://relative/path.db'), '/var/lib/nubo/relative/path.db');
    assert.equal(file('sqlite://x.db', 'rel/dir'), `${process.cwd()}/rel/dir/x.db`);
    assert.equal(file('sqlite:///srv/{service}/state.db'), '/srv/nova/state.db');
    assert.equal(file('sqlite:///a%20b.db'), '/a b.db');
    for (const url of ['sqlite::memory:', 'sqlite://:memory:', 'sqlite://', 'SQLite::memory:']) {
      assert.deepEqual(parse(url), { dialect: 'sqlite', service: 'keystone', filename: ':memory:', url: 'sqlite::memory:' }, url);
    }
  });

  test('bad SQLite URLs', () => {
    for (const url of ['sqlite:/x.db', 'sqlite:x', 'sqlite:///x.db?mode=ro', 'sqlite:///%zz.db']) {
      assert.throws(() => parse(url), DatabaseUrlError, url);
    }
  });
});

describe('parseDatabaseUrl: PostgreSQL and MySQL', () => {
  test('a full PostgreSQL URL', () => {
    assert.deepEqual(parse('postgresql://nubo:secret@db.example:6432/nubo_{service}'), {
      dialect: 'postgres',
      service: 'keystone',
      host: 'db.example',
      port: 6432,
      user: 'nubo',
      password: 'secret',
      database: 'nubo_keystone',
      connectTimeoutMs: 10_000,
      url: 'postgresql://nubo:***@db.example:6432/nubo_keystone',
    });
  });

  test('scheme aliases and defaults', () => {
    for (const url of ['postgres://u@h/db', 'postgresql+psycopg2://u@h/db', 'POSTGRESQL://u@h/db']) {
      const t = parse(url);
      assert.ok(t.dialect === 'postgres', url);
      assert.equal(t.port, 5432);
      assert.equal(t.password, undefined);
      assert.equal(t.url, 'postgresql://u@h:5432/db');
    }
    for (const url of ['mysql://root@127.0.0.1:3306/name', 'mysql+pymysql://root@127.0.0.1/name', 'mariadb://root@127.0.0.1/name', 'mariadb+pymysql://root:@127.0.0.1/name']) {
      const t = parse(url);
      assert.ok(t.dialect === 'mysql', url);
      assert.deepEqual([t.host, t.port, t.user, t.password, t.database], ['127.0.0.1', 3306, 'root', undefined, 'name']);
      assert.equal(t.url, 'mysql://root@127.0.0.1:3306/name');
    }
    const noUser = parse('postgresql://h/db');
    assert.ok(noUser.dialect === 'postgres' && noUser.user === 'postgres');
  });

  test('percent-encoded credentials, IPv6 hosts, Unix sockets', () => {
    const t = parse('mysql://us%40er:p%40ss%2Fw@[::1]:3307/nova');
    assert.ok(t.dialect === 'mysql');
    assert.deepEqual([t.user, t.password, t.host, t.port], ['us@er', 'p@ss/w', '::1', 3307]);
    assert.equal(t.url, 'mysql://us%40er:***@[::1]:3307/nova');

    const pgSocket = parse('postgresql:///nova');
    assert.ok(pgSocket.dialect === 'postgres');
    assert.equal(pgSocket.socketPath, '/var/run/postgresql');
    const pgDir = parse('postgresql://u@/nova?host=/tmp/pg');
    assert.ok(pgDir.dialect === 'postgres' && pgDir.socketPath === '/tmp/pg');
    const mySocket = parse('mysql://u@localhost/nova?unix_socket=/run/my.sock&charset=utf8');
    assert.ok(mySocket.dialect === 'mysql' && mySocket.socketPath === '/run/my.sock');
  });

  test('sslmode and connect_timeout', () => {
    const verify = (q: string) => {
      const t = parse(`postgresql://u@h/db?${q}`);
      return t.dialect === 'postgres' ? [t.tls, t.connectTimeoutMs] : [];
    };
    assert.deepEqual(verify('sslmode=require'), [{ verify: false }, 10_000]);
    assert.deepEqual(verify('sslmode=verify-full&connect_timeout=3'), [{ verify: true }, 3000]);
    assert.deepEqual(verify('sslmode=disable'), [undefined, 10_000]);
  });

  test('bad URLs raise DatabaseUrlError naming the URL with the password masked', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty URL/],
      ['oracle://u:pw@h/db', /unsupported scheme/],
      ['postgresql://u:pw@h:99999/db', /not a valid URL/],
      ['postgresql://u:pw@h/', /names no database/],
      ['postgresql://u:pw@h/a;b', /unsupported database name "a;b"/],
      ['mysql://u:pw@h/db?charset=latin1', /unsupported charset/],
      ['mysql://u:pw@h/db?plugin=dbcounter', /unsupported parameter "plugin"/],
      ['postgresql://u:pw@h/db?sslmode=maybe', /unsupported sslmode/],
      ['postgresql://u:pw@h/db?connect_timeout=-1', /connect_timeout/],
    ];
    for (const [url, reason] of cases) {
      const err = (() => {
        try {
          parse(url);
        } catch (e) {
          return e;
        }
        return assert.fail(`${url} should not parse`);
      })();
      assert.ok(err instanceof DatabaseUrlError && err instanceof OperatorError, url);
      assert.match(err.message, reason, url);
      assert.doesNotMatch(err.message, /\bpw\b/, 'password masked');
      assert.doesNotMatch(err.message, /\n/);
      if (url !== '') assert.ok(err.message.includes(maskUrl(url)), err.message);
    }
    assert.throws(() => parseDatabaseUrl('sqlite', { service: '../x', dataDir: '/d' }), /invalid service name/);
  });
});

describe('URL helpers', () => {
  test('maskUrl hides passwords, also in URLs that do not parse', () => {
    assert.equal(maskUrl('postgresql://u:secret@h/db'), 'postgresql://u:***@h/db');
    assert.equal(maskUrl('mysql+pymysql://nova:p@ss:w@db:99999/nova'), 'mysql+pymysql://nova:***@db:99999/nova');
    assert.equal(maskUrl('postgresql://u@h/db'), 'postgresql://u@h/db');
    assert.equal(maskUrl('sqlite:///x.db'), 'sqlite:///x.db');
  });

  test('withDatabase points a server target at another database', () => {
    const t = parse('postgresql://u:pw@h:5432/nubo_keystone?sslmode=require');
    assert.ok(t.dialect === 'postgres');
    const other = withDatabase(t, 'postgres');
    assert.equal(other.database, 'postgres');
    assert.equal(other.url, 'postgresql://u:***@h:5432/postgres?sslmode=require');
    assert.equal(other.password, 'pw');
    assert.throws(() => withDatabase(t, 'x"; drop'), DatabaseUrlError);
  });
});
