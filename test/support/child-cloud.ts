/**
 * The all-in-one cloud (`node --import tsx src/cmd/nubo.ts up`) or some of its roles (`nubo serve`)
 * as a child process, for the tests that kill it: `nuboUp` (any nubo command, `up` by default)
 * and `nuboServe` resolve once it printed its ready line; `kill9` sends SIGKILL and waits for the
 * exit; `killChildClouds` (for `after`) ends those still running.
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
export function nuboUp(o: { dataDir: string; port: number; env: Record<string, string>; logFile?: string; args?: string[] }): Promise<ChildProcess> {
  return nubo(o.args ?? ['up'], { NUBO_DATA_DIR: o.dataDir, NUBO_BIND: `127.0.0.1:${o.port}`, ...o.env }, o.logFile);
}

/**
 * `nubo serve ROLES... --config-file conf [--host H] [--port N]` (scale-out: roles as processes
 * of their own on a shared database and bus), resolved once it printed its ready line.
 */
export function nuboServe(o: { roles: string[]; configFile: string; host?: string; port?: number; logFile?: string }): Promise<ChildProcess> {
  const flags = [...(o.host ? ['--host', o.host] : []), ...(o.port ? ['--port', String(o.port)] : [])];
  return nubo(['serve', ...o.roles, '--config-file', o.configFile, ...flags], {}, o.logFile);
}

async function nubo(args: string[], env: Record<string, string>, logFile: string | undefined): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cmd/nubo.ts'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (logFile) {
    const stream = createWriteStream(logFile, { flags: 'a' });
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
      const timer = setTimeout(() => fail(new Error(`nubo ${args[0]}: not ready within 180 s:\n${out}`)), 180_000);
      void isReady.then(() => { clearTimeout(timer); ok(); });
      child.once('exit', (code, signal) => { clearTimeout(timer); fail(new Error(`nubo ${args[0]} exited ${code ?? signal}:\n${out}`)); });
    });
  } finally {
    // from now on its output flows on (to the log file, or nowhere): a full pipe would stall it
    child.stdout!.removeListener('data', onData);
    child.stderr!.removeListener('data', onData);
    if (!logFile) { child.stdout!.resume(); child.stderr!.resume(); }
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
