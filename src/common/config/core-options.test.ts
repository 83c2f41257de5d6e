import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { Config } from './config.js';
import { coreGroups, databaseGroup, defaultGroup, httpGroup, publicBaseUrl, serviceConnection } from './core-options.js';

describe('core options', () => {
  test('defaults', () => {
    const c = Config.load({ groups: [...coreGroups], env: {} });
    assert.deepEqual(c.get(defaultGroup), {
      data_dir: './data',
      bind: '127.0.0.1:8880',
      public_url: '',
      transport_url: 'inproc://',
      control_exchange: 'openstack',
      log_level: 'info',
      graceful_shutdown_timeout: 60,
      log_format: 'json',
      region_name: 'RegionOne',
      host: hostname(),
      hosts: [],
    });
    assert.deepEqual(c.get(databaseGroup), { connection: 'sqlite', max_pool_size: 5, pool_timeout: 30, connection_debug: 0 });
    assert.deepEqual(c.get(httpGroup), { body_limit: 1048576, max_json_depth: 128, keep_alive_timeout: 65000 });
    assert.deepEqual(c.warnings, []);
  });

  test('env aliases and validation', () => {
    const c = Config.load({
      groups: [...coreGroups],
      env: { NUBO_DATA_DIR: '/var/lib/nubo', NUBO_BIND: '[::]:80', NUBO_DEFAULT__TRANSPORT_URL: 'rabbit://u:p@h:5672/' },
    });
    assert.equal(c.get(defaultGroup).data_dir, '/var/lib/nubo');
    assert.equal(c.get(defaultGroup).bind, '[::]:80');
    assert.equal(c.get(defaultGroup).transport_url, 'rabbit://u:p@h:5672/');
    assert.throws(
      () => Config.load({ groups: [...coreGroups], env: { NUBO_DEFAULT__LOG_LEVEL: 'verbose' } }),
      { name: 'ConfigError', message: 'invalid value for [DEFAULT] log_level from env NUBO_DEFAULT__LOG_LEVEL: "verbose" is not one of: trace, debug, info, warn, error' },
    );
    assert.throws(
      () => Config.load({ groups: [...coreGroups], env: { NUBO_DEFAULT__PUBLIC_URL: 'example.com' } }),
      { name: 'ConfigError', message: 'invalid value for [DEFAULT] public_url from env NUBO_DEFAULT__PUBLIC_URL: "example.com" is not a URL (scheme://...)' },
    );
  });

  test('the help of [database] connection explains the forms', () => {
    const help = databaseGroup.opts.connection.help;
    for (const s of ['sqlite', 'sqlite:///abs/path.db', 'postgresql://user:pw@host/nubo_{service}', 'mysql://root@host/nubo_{service}', '{service}']) {
      assert.ok(help.includes(s), s);
    }
  });

  test('serviceConnection', () => {
    assert.equal(serviceConnection('postgresql://u:p@h/nubo_{service}', 'image'), 'postgresql://u:p@h/nubo_image');
    assert.equal(serviceConnection('sqlite', 'image'), 'sqlite');
  });

  test('publicBaseUrl', () => {
    assert.equal(publicBaseUrl({ public_url: 'https://cloud.example.com/', bind: '0.0.0.0:80' }), 'https://cloud.example.com');
    assert.equal(publicBaseUrl({ public_url: '', bind: '127.0.0.1:8880' }), 'http://127.0.0.1:8880');
    assert.equal(publicBaseUrl({ public_url: '', bind: '0.0.0.0:8880' }), 'http://127.0.0.1:8880');
    assert.equal(publicBaseUrl({ public_url: '', bind: '[::]:8880' }), 'http://[::1]:8880');
    assert.equal(publicBaseUrl({ public_url: '', bind: '[fd00::5]:8880' }), 'http://[fd00::5]:8880');
    assert.equal(publicBaseUrl({ public_url: '', bind: 'controller:5000' }), 'http://controller:5000');
  });
});
