/**
 * The `nubo` command.
 *   nubo up                                  the whole cloud in one process (npm start)
 *   nubo serve ROLE... [--host H] [--port N]  roles alone (scale-out): identity, image, network, ...
 *   nubo status                              what runs from this data dir
 *   nubo config show                         the effective configuration, secrets masked
 *   nubo config sample                       every option with its help and default
 *   nubo db sync [SERVICE...]                create/upgrade the services' databases
 *   nubo trace REQUEST_ID | --server ID      a request's trace, or a server's boot as the seed's steps
 *   nubo SERVICE COMMAND                     a project's administration (nubo identity fernet-rotate)
 *   nubo image build [--output FILE]         the guest image (a small qcow2 from Debian packages)
 * Common flags: --config-file FILE (repeatable), --set group.key=value (repeatable).
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { request } from 'undici';
import { defaultGroup, renderSample } from '../common/config/index.js';
import { OperatorError } from '../common/errors.js';
import { startHeapRelease } from '../common/service/heap-release.js';
import { traceReport } from '../common/tracing/trace-reader.js';
import { tracesDir } from '../common/tracing/tracing.js';
import { startCloud } from './cloud.js';
import { buildGuestImage, defaultDebCache } from './guest-image/build.js';
import { allGroups, loadConfig } from './load-config.js';
import { provideGuestImage } from './guest-image/provide.js';
import { bootstrapGroup, servicesGroup } from './options.js';
import { openProjectDatabase } from './project-runtime.js';
import { allRoles, projects, requireProject, requireRole } from './projects.js';

interface CommonFlags { configFile: string[]; set: string[] }

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function overridesFrom(flags: CommonFlags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of flags.set) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new OperatorError(`--set expects group.key=value, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--config-file <file>', 'an oslo-style config file (repeatable)', collect, [])
    .option('--set <group.key=value>', 'override one option (repeatable)', collect, []);
}

async function runUntilSignal(roles: string[] | undefined, flags: CommonFlags, extra: Record<string, string> = {}): Promise<void> {
  const cloud = await startCloud({ configFiles: flags.configFile, overrides: { ...overridesFrom(flags), ...extra }, ...(roles ? { roles } : {}) });
  const ms = Math.round(performance.now());
  if (cloud.cloudsYaml) {
    process.stdout.write(
      `nubo: roles ${cloud.roles.join(', ')}; admin credentials in ${cloud.cloudsYaml}\n` +
      `nubo: use it with: export OS_CLIENT_CONFIG_FILE=${cloud.cloudsYaml} OS_CLOUD=nubo; openstack token issue\n`);
  }
  process.stdout.write(cloud.url ? `nubo: ready at ${cloud.url} (${ms} ms)\n` : `nubo: ready: ${cloud.roles.join(', ')} (${ms} ms)\n`);
  const boot = cloud.config.get(bootstrapGroup);
  if (boot.guest_image && cloud.identityUrl && cloud.roles.includes('image')) {
    provideGuestImage({
      identityUrl: cloud.identityUrl, region: cloud.config.get(defaultGroup).region_name, dataDir: cloud.dataDir, name: boot.guest_image_name,
      admin: { username: boot.admin_username, password: cloud.adminPassword, projectName: boot.admin_project },
      log: (line) => process.stdout.write(`nubo: guest image: ${line}\n`),
    }).then(
      (r) => process.stdout.write(r.uploaded ? `nubo: guest image ${boot.guest_image_name} uploaded: ${r.imageId}\n` : `nubo: guest image ${boot.guest_image_name} is there: ${r.existing}\n`),
      (err: unknown) => process.stderr.write(`nubo: guest image ${boot.guest_image_name} not uploaded: ${(err as Error).message}\n`),
    );
  }
  // The heap a burst of requests grew goes back to the system once the process is idle
  // (common/service/heap-release.ts: V8 would keep it until the next burst).
  const heapRelease = startHeapRelease();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    heapRelease?.stop();
    process.stdout.write(`nubo: ${signal}, shutting down\n`);
    // oslo.service's graceful_shutdown_timeout: work that does not finish in time is not waited for
    const limit = cloud.config.get(defaultGroup).graceful_shutdown_timeout;
    if (limit > 0) {
      setTimeout(() => {
        process.stderr.write(`nubo: shutdown did not finish within ${limit} s ([DEFAULT] graceful_shutdown_timeout); exiting\n`);
        process.exit(1);
      }, limit * 1000).unref();
    }
    cloud.close().then(() => process.exit(0), (err) => { console.error(`nubo: shutdown failed: ${(err as Error).message}`); process.exit(1); });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const program = new Command('nubo').description('Nubo: an OpenStack-compatible cloud').showHelpAfterError();

withCommon(program.command('up').description('run the whole cloud in one process')).action(async (flags: CommonFlags) => {
  await runUntilSignal(undefined, flags);
});

withCommon(program.command('serve').argument('<roles...>', `one or more of: ${allRoles.map((r) => r.role.name).join(', ')}`)
  .option('--port <port>', 'API roles listen on this port (host from [DEFAULT] bind)')
  .option('--host <name>', 'the host these roles run as ([DEFAULT] host): per-host RPC topics, agent and compute records')
  .description('run roles alone (scale-out)'))
  .action(async (roles: string[], flags: CommonFlags & { port?: string; host?: string }) => {
    roles.forEach(requireRole);
    const extra: Record<string, string> = {};
    if (flags.port) {
      const bind = loadConfig({ configFiles: flags.configFile, overrides: overridesFrom(flags) }, 'if-present').get(defaultGroup).bind;
      extra['DEFAULT.bind'] = `${bind.replace(/:\d+$/, '')}:${flags.port}`;
    }
    if (flags.host) {
      extra['DEFAULT.host'] = flags.host;
      extra['DEFAULT.hosts'] = flags.host;
    }
    await runUntilSignal(roles, flags, extra);
  });

withCommon(program.command('status').description('show what runs from this data dir')).action(async (flags: CommonFlags) => {
  const config = loadConfig({ configFiles: flags.configFile, overrides: overridesFrom(flags) }, 'if-present');
  const dataDir = resolve(config.get(defaultGroup).data_dir);
  let state: { pid: number; url?: string; roles: string[]; started_at: string };
  try {
    state = JSON.parse(readFileSync(resolve(dataDir, 'nubo.state.json'), 'utf8'));
  } catch {
    process.stdout.write(`nubo: not running (no state in ${dataDir})\n`);
    process.exitCode = 3;
    return;
  }
  let alive = true;
  try { process.kill(state.pid, 0); } catch { alive = false; }
  let health = state.url ? 'unreachable' : 'no API role';
  try {
    if (state.url) {
      const res = await request(`${state.url}/healthcheck`, { headersTimeout: 2000 });
      health = `${res.statusCode} ${(await res.body.text()).trim()}`;
    }
  } catch { /* reported as unreachable */ }
  process.stdout.write(`pid ${state.pid} (${alive ? 'running' : 'gone'}) at ${state.url ?? '(no HTTP)'} since ${state.started_at}\nroles: ${state.roles.join(', ')}\nhealthcheck: ${health}\n`);
  if (!alive) process.exitCode = 3;
});

const imageCmd = program.command('image').description('guest images');
imageCmd.command('build').description('build the guest image: a small bootable qcow2 from Debian\'s cloud kernel, busybox and dropbear')
  .option('--output <file>', 'the qcow2 to write', 'nubo-guest.qcow2')
  .option('--cache-dir <dir>', 'where the downloaded .debs are kept', defaultDebCache())
  .option('--offline', 'use only the .debs already in the cache')
  .option('--kernel-output <file>', 'also write the kernel (a Glance aki image for kernel_id: direct kernel boot, faster)')
  .option('--ramdisk-output <file>', 'also write the initramfs (a Glance ari image for ramdisk_id)')
  .action(async (flags: { output: string; cacheDir: string; offline?: boolean; kernelOutput?: string; ramdiskOutput?: string }) => {
    const image = await buildGuestImage({
      output: flags.output, cacheDir: flags.cacheDir, offline: flags.offline ?? false, log: (line) => process.stderr.write(`nubo: ${line}\n`),
      ...(flags.kernelOutput ? { kernelOutput: flags.kernelOutput } : {}), ...(flags.ramdiskOutput ? { ramdiskOutput: flags.ramdiskOutput } : {}),
    });
    process.stdout.write(`${image.path}\t${image.bytes} bytes\tkernel ${image.kernelVersion}\n`);
  });

const configCmd = program.command('config').description('configuration');
withCommon(configCmd.command('show').description('print the effective configuration')).action((flags: CommonFlags) => {
  process.stdout.write(loadConfig({ configFiles: flags.configFile, overrides: overridesFrom(flags) }, 'if-present').show());
});
configCmd.command('sample').description('print every option with its help and default (a sample nubo.conf)').action(() => {
  process.stdout.write(renderSample(allGroups()));
});

const dbCmd = program.command('db').description('databases');
withCommon(dbCmd.command('sync').argument('[services...]', 'services (default: enabled_services)').description('create or upgrade databases'))
  .action(async (services: string[], flags: CommonFlags) => {
    const config = loadConfig({ configFiles: flags.configFile, overrides: overridesFrom(flags) }, 'if-present');
    const names = services.length > 0 ? services : config.get(servicesGroup).enabled_services;
    const dataDir = resolve(config.get(defaultGroup).data_dir);
    for (const project of names.map(requireProject)) {
      const db = await openProjectDatabase(config, project, dataDir);
      await db.close();
      process.stdout.write(`nubo: ${project.service} (${project.name}) database is up to date (${db.url})\n`);
    }
  });

withCommon(program.command('trace').argument('[request_id]', 'a request id (req-...) the trace holds: ours or the caller\'s global one')
  .option('--server <id>', 'the trace of this server\'s boot')
  .description('print a trace kept in <data_dir>/traces: the boot steps in order, then every span as a tree'))
  .action((requestId: string | undefined, flags: CommonFlags & { server?: string }) => {
    if (!requestId === !flags.server) throw new OperatorError('give a request id or --server ID');
    const config = loadConfig({ configFiles: flags.configFile, overrides: overridesFrom(flags) }, 'if-present');
    const dir = tracesDir(resolve(config.get(defaultGroup).data_dir));
    process.stdout.write(traceReport(dir, flags.server ? { serverId: flags.server } : { requestId: requestId! }));
  });

// Each project's administrative commands: nubo <service> <command> (keystone-manage, nova-manage, ...).
for (const project of projects.filter((p) => p.commands?.some((c) => !c.topLevel))) {
  const group = program.command(project.service).description(`${project.service} administration (${project.name}-manage)`);
  for (const command of project.commands!.filter((c) => !c.topLevel)) {
    withCommon(group.command(command.name).description(command.description)).action(async (flags: CommonFlags) => {
      const config = loadConfig({ configFiles: flags.configFile, overrides: overridesFrom(flags) }, 'if-present');
      process.stdout.write(await command.run(config));
    });
  }
}
// Commands a project names at the top (nubo ring ...), with free arguments.
for (const command of projects.flatMap((p) => p.commands ?? []).filter((c) => c.topLevel)) {
  const cmd = withCommon(program.command(command.name).description(command.description));
  if (command.takesArguments) cmd.argument('[args...]', 'the command\'s arguments').allowUnknownOption(true);
  cmd.action(async (...all: unknown[]) => {
    const args = command.takesArguments ? (all[0] as string[]) : [];
    const flags = (command.takesArguments ? all[1] : all[0]) as CommonFlags;
    const config = loadConfig({ configFiles: flags.configFile, overrides: overridesFrom(flags) }, 'if-present');
    process.stdout.write(await command.run(config, args));
  });
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof OperatorError) {
    process.stderr.write(`nubo: error: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
