/**
 * For tests: Cinder's roles (volume-api, volume-scheduler, the volume service of host
 * `testhost`, backend `testhost@file`, and the backup service of `testhost`) in one process over the common harness (a fresh
 * database, an in-process bus, fake tokens), and a helper that waits for a volume or snapshot
 * status. `admin` and `member` are tokens of project `p1`; `other` of project `p2`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceSession } from '../../../common/clients/index.js';
import { PeriodicTasks } from '../../../common/service/periodic.js';
import type { RoleInstance } from '../../../common/service/project.js';
import { startHarness, type Harness, type InjectResult } from '../../../common/testing/harness.js';
import { cinder } from '../index.js';
import { createBackupService, type BackupRoleInstance } from '../roles/backup.js';
import { createVolumeApi } from '../roles/volume-api.js';
import { createVolumeScheduler } from '../roles/volume-scheduler.js';
import { createVolumeService, type VolumeRoleInstance } from '../roles/volume.js';

export interface CinderHarness extends Harness {
  volumeService: VolumeRoleInstance;
  backupService: BackupRoleInstance;
  admin: string;
  member: string;
  other: string;
  reader: string;
  /** A request as the admin of p1 at a microversion (default 3.0). */
  as(token: string, method: string, path: string, body?: unknown, version?: string): Promise<InjectResult>;
  /** Wait until GET <path> shows `status` (or fails after `timeoutMs`, a few seconds by default). */
  waitFor(path: string, key: 'volume' | 'snapshot' | 'backup', status: string, timeoutMs?: number): Promise<any>;
  waitGone(path: string, timeoutMs?: number): Promise<void>;
}

/**
 * `session`: how the roles reach other services (a StubCloud's, for Glance or Swift).
 * `extraVolumeHosts`: more volume services (`<name>@file`, their files under
 * `<data_dir>/volumes/<name>/`), for moving volumes between hosts.
 */
export async function startCinder(
  overrides: Record<string, string> = {},
  opts: { session?: ServiceSession; extraVolumeHosts?: string[] } = {},
): Promise<CinderHarness> {
  let volumeService: VolumeRoleInstance | undefined;
  let backupService: BackupRoleInstance | undefined;
  const h = await startHarness({
    project: cinder,
    overrides,
    ...(opts.session ? { session: opts.session } : {}),
    async create(ctx) {
      const api = await createVolumeApi(ctx);
      const scheduler = await createVolumeScheduler(ctx);
      volumeService = await createVolumeService({ ...ctx, role: cinder.roles.find((r) => r.name === 'volume')! });
      backupService = await createBackupService({ ...ctx, role: cinder.roles.find((r) => r.name === 'backup')! });
      const volumeRole = cinder.roles.find((r) => r.name === 'volume')!;
      // each host's role has its periodic tasks of its own, as `nubo up` gives them
      const extraPeriodic = (opts.extraVolumeHosts ?? []).map(() => new PeriodicTasks(ctx.log));
      const extra = await Promise.all((opts.extraVolumeHosts ?? []).map((host, i) => createVolumeService({ ...ctx, host, role: volumeRole, periodic: extraPeriodic[i]! })));
      const parts: RoleInstance[] = [volumeService, ...extra, scheduler, backupService];
      return {
        ...(api.routes ? { routes: api.routes } : {}),
        async start() {
          for (const p of parts) await p.start?.();
          for (const p of extraPeriodic) p.start();
        },
        async stop() {
          for (const p of extraPeriodic) await p.stop();
          for (const p of parts) await p.stop?.();
        },
      };
    },
  });
  const admin = h.tokens.persona('admin-token', { project: 'p1', roles: ['admin', 'member', 'reader'] });
  const member = h.tokens.persona('member-token', { project: 'p1', roles: ['member', 'reader'] });
  const reader = h.tokens.persona('reader-token', { project: 'p1', roles: ['reader'] });
  const other = h.tokens.persona('other-token', { project: 'p2', roles: ['member', 'reader'] });
  const as: CinderHarness['as'] = (token, method, path, body, version = '3.0') =>
    h.request(method, path, token, body, { 'openstack-api-version': `volume ${version}` });
  return {
    ...h, volumeService: volumeService!, backupService: backupService!, admin, member, other, reader, as,
    async waitFor(path, key, status, timeoutMs = 20_000) {
      let last: InjectResult | undefined;
      for (const end = Date.now() + timeoutMs; Date.now() < end;) {
        last = await as(admin, 'GET', path);
        if (last.status === 200 && last.body[key].status === status) return last.body[key];
        await sleep(20);
      }
      throw new Error(`${path} did not become ${status}: ${last?.status} ${JSON.stringify(last?.body)}`);
    },
    async waitGone(path, timeoutMs = 20_000) {
      for (const end = Date.now() + timeoutMs; Date.now() < end;) {
        if ((await as(admin, 'GET', path)).status === 404) return;
        await sleep(20);
      }
      throw new Error(`${path} is still there`);
    },
  };
}
