/**
 * For tests of real guests on a BootCloud with the qemu driver: servers created and awaited
 * ACTIVE, their instance files, their console log read until the guest's init has finished a
 * number of boots, and their QEMUs killed when a failed test leaves them behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from '../../../common/testing/until.js';
import type { BootCloud } from './boot-cloud.js';

export class QemuServers {
  /** Every server created, for kill(). */
  readonly ids: string[] = [];

  constructor(private readonly b: BootCloud) {}

  /** POST /servers (2.67) with `server`; its id once ACTIVE (a fault fails the test). */
  async create(server: Record<string, unknown>): Promise<string> {
    const res = await this.b.compute('POST', '/servers', { server: { flavorRef: '1', networks: 'none', ...server } }, '2.67');
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const id = res.body.server.id as string;
    this.ids.push(id);
    const created = await this.b.waitFor(id, ['ACTIVE', 'ERROR'], 300_000);
    assert.equal(created.status, 'ACTIVE', JSON.stringify(created.fault));
    return id;
  }

  /** The path of a file in the server's instance directory, if it is there. */
  instanceFile(id: string, name: string): string | undefined {
    const nova = join(this.b.cloud.dataDir, 'nova');
    const f = readdirSync(nova, { recursive: true }).map(String).find((p) => p.endsWith(join(id, name)));
    return f === undefined ? undefined : join(nova, f);
  }

  async consoleLog(id: string): Promise<string> {
    return (await this.b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} })).body.output as string;
  }

  /** The console log once it shows the guest's init done `n` times (each boot appends), read every second. */
  async booted(id: string, n: number, ms = 400_000): Promise<string> {
    let log = '';
    await until(async () => {
      await new Promise((r) => setTimeout(r, 1000));
      log = await this.consoleLog(id);
      return (log.match(/nubo-init: \[[\d.]+\] up: /g) ?? []).length >= n;
    }, `the guest's init done (boot ${n}) on ${id}`, ms).catch((err: Error) => { throw new Error(`${err.message}: ${log.slice(-2000)}`); });
    return log;
  }

  /** SIGKILL the QEMU of every server created (a failed run's guests outlive the cloud). */
  kill(): void {
    for (const id of this.ids) {
      const pidFile = this.instanceFile(id, 'qemu.pid');
      if (pidFile && existsSync(pidFile)) try { process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
    }
  }
}
