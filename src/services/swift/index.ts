/**
 * The Object Storage project (Swift, the API of 2.30 / Zed): the proxy (`object-proxy`) at
 * /object with keystoneauth, the S3 API (`s3api`, s3/) on its own port, and the account,
 * container and object servers, each on its own port, placed by rings (ring/, `nubo ring`),
 * composed in service.ts; and the consistency daemons (replicators, auditor, container sync, reaper:
 * daemons/build.ts), each a role of its own and runnable once with `nubo swift-daemon NAME --once`.
 */
import { resolve } from 'node:path';
import { defaultGroup } from '../../common/config/index.js';
import { OperatorError } from '../../common/errors.js';
import type { ProjectDef } from '../../common/service/project.js';
import { swiftFault } from './api/fault.js';
import { swiftGroups } from './config.js';
import { swiftMigrations } from './db/migrations.js';
import { swiftPolicySpec } from './policies/index.js';
import { RING_USAGE, runRingCommand } from './ring/cli.js';
import { RingBuilderError } from './ring/builder.js';
import { buildDaemonRole, DAEMON_USAGE, DAEMONS, runDaemonCommand, type DaemonName } from './daemons/build.js';
import { buildProxy, buildS3Api, buildStorageServer, proxyServer, s3PublicUrl, swiftDirOf } from './service.js';

export const swift: ProjectDef = {
  name: 'swift',
  service: 'object',
  description: 'Object Storage Service (Swift)',
  prefix: '/object',
  catalog: [
    { type: 'object-store', path: '/v1/AUTH_$(project_id)s' },
    // DevStack's `s3` endpoint: the S3 API at the root of its own listener
    { type: 's3', name: 'swift_s3', path: '', url: (config) => s3PublicUrl(config) },
  ],
  configGroups: swiftGroups,
  migrations: swiftMigrations,
  policy: swiftPolicySpec,
  fault: swiftFault,
  roles: [
    { name: 'account-server', description: 'the Swift account server (its own port)', kind: 'worker', create: (ctx) => buildStorageServer(ctx, 'account') },
    { name: 'container-server', description: 'the Swift container server (its own port)', kind: 'worker', create: (ctx) => buildStorageServer(ctx, 'container') },
    { name: 'object-server', description: 'the Swift object server (its own port)', kind: 'worker', create: (ctx) => buildStorageServer(ctx, 'object') },
    { name: 'object-proxy', description: 'the Swift proxy (proxy-server with keystoneauth)', kind: 'api', discoveryPath: '/info', create: buildProxy },
    { name: 's3api', description: 'the S3 API (the proxy with s3api and s3token; its own port, [s3api])', kind: 'worker', create: buildS3Api },
    ...(Object.keys(DAEMONS) as DaemonName[]).map((name) => ({
      name, description: DAEMONS[name], kind: 'worker' as const, create: (ctx: Parameters<typeof buildDaemonRole>[0]) => buildDaemonRole(ctx, name),
    })),
  ],
  commands: [{
    name: 'swift-daemon',
    description: 'one pass of a Swift consistency daemon: nubo swift-daemon object-replicator|object-reconstructor|object-auditor|container-replicator|account-replicator|container-sync|account-reaper --once [--devices ...] [--partitions ...]',
    topLevel: true,
    takesArguments: true,
    async run(config, args = []) {
      if (args.length === 0) return DAEMON_USAGE;
      const log = {
        info: (o: unknown, m?: string) => process.stderr.write(`${m ?? ''} ${JSON.stringify(o)}\n`),
        warn: (o: unknown, m?: string) => process.stderr.write(`warning: ${m ?? ''} ${JSON.stringify(o)}\n`),
        error: (o: unknown, m?: string) => process.stderr.write(`error: ${m ?? ''} ${JSON.stringify(o)}\n`),
      };
      return runDaemonCommand(args, { config, dataDir: resolve(config.get(defaultGroup).data_dir), log });
    },
  }, {
    name: 'expirer',
    description: 'swift-object-expirer --once: one pass deleting the objects past their X-Delete-At (the storage servers must be running)',
    async run(config) {
      const dataDir = resolve(config.get(defaultGroup).data_dir);
      const log = { warn: (obj: unknown, msg?: string) => process.stderr.write(`${msg ?? ''} ${JSON.stringify(obj)}\n`), debug: () => undefined };
      const s = await proxyServer({ config, dataDir, log }).expireObjects();
      return `${s.expired} objects expired, ${s.skipped} entries dropped (object gone or rewritten), ${s.errors} errors\n`;
    },
  }, {
    name: 'ring',
    description: 'swift-ring-builder: nubo ring <builder_file> create|add|remove|set_weight|set_info|rebalance|write_ring|pretend_min_part_hours_passed|show ...',
    topLevel: true,
    takesArguments: true,
    run(config, args = []) {
      if (args.length === 0) return `${RING_USAGE}\n`;
      try {
        return runRingCommand(args, swiftDirOf(config, resolve(config.get(defaultGroup).data_dir)));
      } catch (err) {
        if (err instanceof RingBuilderError || err instanceof SyntaxError) throw new OperatorError(err.message);
        throw err;
      }
    },
  }],
};
