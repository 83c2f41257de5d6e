import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './load-config.js';
import { isGeneratedSecret, secretsPath } from './secrets.js';

test('a generated secret is one secrets.conf holds in the generated form', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-secrets-'));
  try {
    const env = { NUBO_DATA_DIR: dir };
    const config = loadConfig({ env });
    assert.equal(isGeneratedSecret(config, dir, 'bootstrap', 'admin_password'), true);
    assert.equal(isGeneratedSecret(config, dir, 'service_users', 'image'), true);

    const own = join(dir, 'nubo.conf');
    writeFileSync(own, '[bootstrap]\nadmin_password = my own password\n');
    const chosen = loadConfig({ env, configFiles: [own] });
    assert.equal(isGeneratedSecret(chosen, dir, 'bootstrap', 'admin_password'), false, 'an operator file wins and is not generated');

    writeFileSync(secretsPath(dir), '[bootstrap]\nadmin_password = edited\n');
    assert.equal(isGeneratedSecret(loadConfig({ env }), dir, 'bootstrap', 'admin_password'), false, 'edited into another form');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
