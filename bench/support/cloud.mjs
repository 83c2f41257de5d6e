// The all-in-one cloud of a benchmark: `<bin> up` on `dataDir`, listening on a free port of
// 127.0.0.1, with `env` over the bench's environment and `nodeArgs` after the cloud's own node
// flags; resolves with the child and its URL once it printed its ready line (60 s at most). Its
// stderr goes to the bench's.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * How `nubo up` runs (bin/nubo.mjs's shebang, `npm start`): the node flags and the environment
 * that the cloud's process is started with. A benchmark starting dist/nubo.js itself passes them
 * so that it measures the cloud as it is run.
 */
export const CLOUD_NODE_ARGS = ['--max-semi-space-size=32'];
export const CLOUD_ENV = { UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '32' };

export async function startCloud(bin, dataDir, env, nodeArgs = []) {
  const child = spawn(process.execPath, [...CLOUD_NODE_ARGS, ...nodeArgs, bin, 'up'], {
    env: { ...process.env, ...CLOUD_ENV, NUBO_DATA_DIR: dataDir, NUBO_BIND: '127.0.0.1:0', NUBO_DEFAULT__LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 60 s:\n${out}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /nubo: ready at (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`nubo exited ${code}:\n${out}`)); });
  });
  child.removeAllListeners('exit');
  return { child, url };
}

/** The admin's token from the cloud's clouds.yaml, and the public URL of a service type from its catalog. */
export async function login(dataDir) {
  const auth = parse(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')).clouds.nubo.auth;
  const res = await fetch(`${auth.auth_url}/auth/tokens`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: auth.username, domain: { name: 'Default' }, password: auth.password } } },
      scope: { project: { name: auth.project_name, domain: { name: 'Default' } } },
    } }),
  });
  if (res.status !== 201) throw new Error(`login: ${res.status} ${await res.text()}`);
  const token = res.headers.get('x-subject-token');
  const catalog = (await res.json()).token.catalog;
  const endpoint = (type) => catalog.find((s) => s.type === type).endpoints.find((e) => e.interface === 'public').url.replace(/\/$/, '');
  return { token, endpoint };
}
