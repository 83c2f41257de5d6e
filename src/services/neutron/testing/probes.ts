/**
 * Long-running traffic probes for data-plane tests, stamped where the packets arrive: a shell
 * in the namespace reads /proc/uptime (a builtin `read`, 10 ms resolution) as each line comes,
 * so the stamps do not depend on when this process, busy with a cloud, gets to read them.
 * `runningPing`: a ping every 100 ms, the times of its replies; `tcpStream`: an established TCP
 * connection (busybox nc) on which the client sends a line every 100 ms, the times the server
 * received them, and whether the connection is still open. `maxGap` measures an interruption.
 * Each probe is a process group, stopped by `stop()`. Test support only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Seconds since boot (/proc/uptime). */
const uptime = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

/** A shell in the namespace whose stdout lines are "<uptime> <line>"; `onLine` gets (ms since the epoch, line). */
function stampedShell(namespace: string, script: string, args: string[], onLine: (at: number, line: string) => void): ChildProcess {
  const bootedAt = Date.now() - uptime() * 1000;
  const child = spawn('ip', ['netns', 'exec', namespace, 'sh', '-c', script, ...args], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) {
      const i = l.indexOf(' ');
      if (i > 0) onLine(bootedAt + Number(l.slice(0, i)) * 1000, l.slice(i + 1));
    }
  });
  return child;
}

const STAMP = 'while IFS= read -r line; do read up idle < /proc/uptime; echo "$up $line"; done';

function stopGroup(child: ChildProcess | undefined): void {
  if (child?.pid) try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
}

export interface Probe {
  /** When replies (or lines) arrived, ms since the epoch. */
  readonly stamps: number[];
  stop(): void;
}

/** A ping every 100 ms from `namespace` to `to`. */
export function runningPing(namespace: string, to: string): Probe {
  const stamps: number[] = [];
  const child = stampedShell(namespace, `busybox ping -i 0.1 "$0" | ${STAMP}`, [to], (at, line) => { if (/bytes from/.test(line)) stamps.push(at); });
  return { stamps, stop: () => stopGroup(child) };
}

export interface TcpStream extends Probe {
  /** False once the server saw the connection end. */
  readonly open: boolean;
}

/**
 * A TCP connection from `client` (a namespace) to `to`:`port`, served by `busybox nc -l` in
 * `server` (a namespace): the client sends a line every 100 ms for as long as it runs. Resolves
 * once the first line arrived.
 */
export async function tcpStream(o: { server: string; client: string; to: string; port: number; timeoutMs?: number }): Promise<TcpStream> {
  const stamps: number[] = [];
  let open = true;
  // nc ends the connection at the end of its input: the server's input never ends
  const server = stampedShell(o.server, `sleep 100000 | busybox nc -l -p "$0" | ${STAMP}`, [String(o.port)], (at) => { stamps.push(at); });
  server.once('exit', () => { open = false; });
  server.stdout!.once('end', () => { open = false; });
  let client: ChildProcess | undefined;
  const stream: TcpStream = {
    stamps,
    get open() { return open; },
    stop: () => { stopGroup(client); stopGroup(server); },
  };
  const deadline = Date.now() + (o.timeoutMs ?? 20_000);
  // the listener needs a moment; a client that came too early is simply started again
  while (!stamps.length && Date.now() < deadline) {
    if (!client || client.exitCode !== null || client.signalCode !== null) {
      client = spawn('ip', ['netns', 'exec', o.client, 'sh', '-c', 'while :; do echo x; sleep 0.1; done | busybox nc "$0" "$1"', o.to, String(o.port)], { stdio: 'ignore', detached: true });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!stamps.length) {
    stream.stop();
    throw new Error(`no TCP connection from ${o.client} to ${o.to}:${o.port} within ${o.timeoutMs ?? 20_000} ms`);
  }
  return stream;
}

/**
 * The longest time without a stamp between `from` and `to` (ms since the epoch): the largest
 * distance between consecutive stamps around the window, counting its ends when stamps are
 * missing there (no stamp after `to`: up to `to`).
 */
export function maxGap(stamps: readonly number[], from: number, to: number): number {
  const before = stamps.filter((s) => s <= from).at(-1) ?? from;
  const inside = stamps.filter((s) => s > from && s <= to);
  const after = stamps.find((s) => s > to) ?? to;
  const points = [before, ...inside, after];
  let gap = 0;
  for (let i = 1; i < points.length; i++) gap = Math.max(gap, points[i]! - points[i - 1]!);
  return Math.round(gap);
}
