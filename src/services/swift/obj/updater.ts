/**
 * The object updater (swift/obj/updater.py): container updates an object server could not
 * deliver wait in <device>/async_pending/<suffix>/<hash>-<timestamp>-<id>; each sweep sends them
 * again to the container node recorded with them and removes those that were taken. (Upstream
 * asks the container ring for the nodes again; here the node the proxy named is kept.)
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { backendCall, backendPath } from '../utils/backend-client.js';
import { listDir } from '../utils/list-dir.js';

export interface PendingUpdate {
  op: 'PUT' | 'DELETE';
  account: string;
  container: string;
  obj: string;
  headers: Record<string, string>;
  host: string;
  device: string;
  partition: string;
}


export class ObjectUpdater {
  constructor(
    private readonly devicesRoot: string,
    private readonly timeouts: { connMs: number; nodeMs: number },
    private readonly log: { warn(obj: unknown, msg?: string): void },
  ) {}

  /** One pass over every device; returns how many updates were delivered and how many still wait. */
  async sweep(): Promise<{ sent: number; left: number }> {
    let sent = 0;
    let left = 0;
    for (const device of listDir(this.devicesRoot)) {
      const pending = join(this.devicesRoot, device, 'async_pending');
      for (const suffix of listDir(pending)) {
        for (const name of listDir(join(pending, suffix))) {
          const file = join(pending, suffix, name);
          let update: PendingUpdate;
          try {
            update = JSON.parse(readFileSync(file, 'utf8')) as PendingUpdate;
          } catch {
            this.log.warn({ file }, 'object updater: unreadable pending update removed');
            rmSync(file, { force: true });
            continue;
          }
          if (await this.send(update)) {
            rmSync(file, { force: true });
            sent++;
          } else {
            left++;
          }
        }
      }
    }
    return { sent, left };
  }

  private async send(u: PendingUpdate): Promise<boolean> {
    const m = /^(.+):(\d+)$/.exec(u.host);
    if (!m) return false;
    try {
      const r = await backendCall({ ip: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) }, u.op,
        backendPath(u.device, Number(u.partition), u.account, u.container, u.obj), { ...u.headers, 'Content-Length': 0 }, this.timeouts);
      return r.status >= 200 && r.status < 300;
    } catch {
      return false;
    }
  }
}
