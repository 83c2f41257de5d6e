/**
 * The real `openstack` CLI (python3-openstackclient) for end-to-end tests, as one interactive
 * session: `openstack` without arguments reads commands from stdin (cliff's interactive mode),
 * so Python and the client libraries load once and the token is fetched once, instead of a
 * process of several seconds per command. After each command the session echoes a marker on
 * stdout and on stderr (cmd2's `!` shell escape); what came before it is the command's output,
 * and anything on stderr is its error (the interactive mode has no exit status per command).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/**
 * One argument with spaces for `run`: cliff's interactive mode splits a line twice (its precmd
 * splits it, joins the words with spaces, and default() splits that again), so an argument
 * keeps its spaces only when quoted twice.
 */
export function quoted(arg: string): string {
  if (/['"\\]/.test(arg)) throw new Error(`an argument with quotes or backslashes: ${arg}`);
  return `'"${arg}"'`;
}

export class OpenstackCliError extends Error {
  constructor(readonly command: string, readonly stderr: string) {
    super(`openstack ${command}: ${stderr.trim()}`);
    this.name = 'OpenstackCliError';
  }
}

interface Pending {
  marker: string;
  command: string;
  resolve(out: string): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class OpenstackShell {
  private readonly child: ChildProcessWithoutNullStreams;
  private stdout = '';
  private stderr = '';
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private count = 0;
  private exited: string | undefined;

  /** A session on the cloud `cloud` of the clouds.yaml at `cloudsYaml`; the caller's OS_* variables are not passed on. */
  constructor(cloudsYaml: string, cloud = 'nubo') {
    const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OS_')));
    this.child = spawn('openstack', [], {
      env: { ...env, OS_CLIENT_CONFIG_FILE: cloudsYaml, OS_CLOUD: cloud, PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (d: Buffer) => { this.stdout += d.toString(); this.settle(); });
    this.child.stderr.on('data', (d: Buffer) => { this.stderr += d.toString(); this.settle(); });
    this.child.on('error', (err) => this.fail(`openstack could not start: ${err.message}`));
    this.child.on('exit', (code, signal) => this.fail(`openstack exited (${code ?? signal}): ${this.stderr.trim()}`));
  }

  /** Runs one command line (no newline, no cmd2 redirection `>` or pipe `|`); resolves with its stdout, rejects with its stderr. */
  run(command: string, timeoutMs = 60_000): Promise<string> {
    if (/[\n>|]/.test(command)) throw new Error(`not a single openstack command line: ${command}`);
    const next = this.queue.then(() => this.send(command, timeoutMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs a command with `-f json` and parses its output. */
  async json<T = Record<string, any>>(command: string, timeoutMs?: number): Promise<T> {
    const out = await this.run(`${command} -f json`, timeoutMs);
    try {
      return JSON.parse(out) as T;
    } catch {
      throw new Error(`openstack ${command} -f json printed no JSON:\n${out}`);
    }
  }

  /** Ends the session (kills it when it does not end by itself within 10 s). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }

  private send(command: string, timeoutMs: number): Promise<string> {
    if (this.exited) return Promise.reject(new OpenstackCliError(command, this.exited));
    const marker = `__nubo_cli_done_${++this.count}__`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        reject(new OpenstackCliError(command, `no answer within ${timeoutMs} ms; stdout so far: ${this.stdout}; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.pending = { marker, command, resolve, reject, timer };
      this.child.stdin.write(`${command}\n!echo ${marker}\n!sh -c "echo ${marker} 1>&2"\n`);
    });
  }

  /** Completes the pending command once its marker is on both streams. */
  private settle(): void {
    const p = this.pending;
    if (!p) return;
    const line = `${p.marker}\n`;
    const o = this.stdout.indexOf(line);
    const e = this.stderr.indexOf(line);
    if (o < 0 || e < 0) return;
    const out = this.stdout.slice(0, o);
    const err = this.stderr.slice(0, e);
    this.stdout = this.stdout.slice(o + line.length);
    this.stderr = this.stderr.slice(e + line.length);
    this.pending = undefined;
    clearTimeout(p.timer);
    if (err.trim()) p.reject(new OpenstackCliError(p.command, err));
    else p.resolve(out);
  }

  private fail(reason: string): void {
    this.exited ??= reason;
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(new OpenstackCliError(p.command, reason));
  }
}
