/**
 * The all-in-one cloud as a child process (`node --import tsx src/cmd/nubo.ts up`), or some of
 * its roles (`nubo serve ROLE... --host H`), for the tests that kill it: `nuboUp` resolves once
 * it printed its ready line; `kill9` sends SIGKILL and waits for the exit; `killChildClouds`
 * (for `after`) ends those still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool } from 'undici';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const children = new Set<ChildProcess>();

/**
 * `env`: the cloud's environment besides PATH, NUBO_DATA_DIR and NUBO_BIND (its options as
 * NUBO_<GROUP>__<OPTION>); `logFile`: where its output goes (appended), else it is dropped;
 * `args`: the command (default `up`), e.g. `serve network-l3-agent --host h1`.
 */
export async function nuboUp(o: { dataDir: string; port: number; env: Record<string, string>; logFile?: string; args?: string[] }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), ...(o.args ?? ['up'])], {
    env: { PATH: process.env.PATH ?? '', NUBO_DATA_DIR: o.dataDir, NUBO_BIND: `127.0.0.1:${o.port}`, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (o.logFile) {
    const stream = createWriteStream(o.logFile, { flags: 'a' });
    child.stdout!.pipe(stream);
    child.stderr!.pipe(stream);
  }
  let out = '';
  let ready!: () => void;
  const isReady = new Promise<void>((ok) => { ready = ok; });
  const onData = (d: Buffer): void => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
    if (out.includes('nubo: ready')) ready();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`nubo: not ready within 90 s:\n${out}`)), 90_000);
      void isReady.then(() => { clearTimeout(timer); ok(); });
      child.once('exit', (code, signal) => { clearTimeout(timer); fail(new Error(`nubo exited ${code ?? signal}:\n${out}`)); });
    });
  } finally {
    // from now on its output flows on (to the log file, or nowhere): a full pipe would stall it
    child.stdout!.removeListener('data', onData);
    child.stderr!.removeListener('data', onData);
    if (!o.logFile) { child.stdout!.resume(); child.stderr!.resume(); }
  }
  child.removeAllListeners('exit');
  child.once('exit', () => children.delete(child));
  return child;
}

export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGKILL');
  await gone;
}

export function killChildClouds(): void {
  for (const c of children) c.kill('SIGKILL');
}

/** The admin's project-scoped token from the cloud's clouds.yaml password (`POST /identity/v3/auth/tokens` must answer 201). */
export async function adminLogin(pool: Pool, dataDir: string): Promise<{ token: string; projectId: string }> {
  const auth = (parse(readFileSync(join(dataDir, 'clouds.yaml'), 'utf8')) as { clouds: { nubo: { auth: { password: string } } } }).clouds.nubo.auth;
  const login = await pool.request({
    method: 'POST', path: '/identity/v3/auth/tokens', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: {
      identity: { methods: ['password'], password: { user: { name: 'admin', domain: { id: 'default' }, password: auth.password } } },
      scope: { project: { name: 'admin', domain: { id: 'default' } } },
    } }),
  });
  const body = await login.body.text();
  if (login.statusCode !== 201) throw new Error(`admin login: ${login.statusCode} ${body}`);
  return { token: String(login.headers['x-subject-token']), projectId: (JSON.parse(body) as { token: { project: { id: string } } }).token.project.id };
}
