/**
 * The compute host's virt driver, as [DEFAULT] compute_driver names it: fake (a simulated
 * hypervisor, [fake_driver]) or qemu (real guests, [qemu]; base images read from Glance with
 * the host's own token, ports plugged on Linux bridges).
 */
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { ImageClient } from '../../../common/clients/index.js';
import type { RoleContext } from '../../../common/service/project.js';
import type { InstanceEvents } from '../compute/instance-events.js';
import { parsePortRange } from '../console/serial.js';
import { fakeDriverGroup, novaDefaultGroup, qemuGroup, serialConsoleGroup, vncGroup } from '../config.js';
import type { NovaRepos } from '../db/repos.js';
import type { ComputeDriver } from '../virt/driver.js';
import { FakeDriver } from '../virt/fake/driver.js';
import { QemuDriver, type QemuConsoleOptions } from '../virt/qemu/driver.js';
import { hostNamespace, LinuxBridgeVifPlugger } from '../virt/qemu/vif.js';
import { instanceMetadataSource } from './instance-metadata.js';

/** <data_dir>/nova/<host>/instances unless [DEFAULT] instances_path says otherwise ({host} replaced; per host: hosts may share a data dir). */
export function instancesPath(ctx: RoleContext, host = ctx.host): string {
  const configured = ctx.config.get(novaDefaultGroup).instances_path;
  return configured ? resolve(configured.replaceAll('{host}', host)) : join(resolve(ctx.dataDir), 'nova', host, 'instances');
}

/** [qemu] live_migration_inbound_addr for `host`: its own entry of a host=address list, the single address, or the host's name. */
export function inboundAddress(setting: string, host: string): string {
  const entries = setting.split(',').map((e) => e.trim()).filter(Boolean);
  if (!entries.some((e) => e.includes('='))) return entries[0] ?? host;
  const own = entries.find((e) => e.slice(0, e.indexOf('=')) === host);
  return own ? own.slice(own.indexOf('=') + 1) : host;
}

/** `lifecycle`: called when a guest's power state changes by itself (the qemu driver's QMP events and QEMU's end). */
export function createVirtDriver(ctx: RoleContext, events: InstanceEvents, repos: NovaRepos, lifecycle: (uuid: string) => void): ComputeDriver {
  const d = ctx.config.get(novaDefaultGroup);
  if (d.compute_driver === 'qemu') {
    const q = ctx.config.get(qemuGroup);
    const images = new ImageClient(ctx.session);
    const path = instancesPath(ctx);
    const metadataOf = instanceMetadataSource(ctx, repos);
    return new QemuDriver({
      host: ctx.host, instancesPath: path, binary: q.binary, accel: q.accel, machine: q.machine,
      imageCacheDir: join(path, q.image_cache_subdirectory_name), shutdownTimeout: d.shutdown_timeout, spawnMemoryCheck: q.spawn_memory_check,
      tcgTbSizeMb: q.tcg_tb_size_mb, memoryOverheadMb: q.memory_overhead_mb,
      images: async (id) => (await images.downloadData(id)).body as Readable, vifs: new LinuxBridgeVifPlugger(hostNamespace(q.host_namespace, ctx.host)),
      vifPluggingTimeout: d.vif_plugging_timeout, vifPluggingIsFatal: d.vif_plugging_is_fatal, virtapi: events, log: ctx.log,
      metadata: (instance) => metadataOf(instance, undefined), lifecycle: (uuid) => lifecycle(uuid),
      consoles: qemuConsoles(ctx), peerInstancesPath: (host) => instancesPath(ctx, host),
      liveMigration: { inboundAddr: inboundAddress(q.live_migration_inbound_addr, ctx.host), ports: parsePortRange(q.live_migration_port_range, '[qemu] live_migration_port_range') },
    });
  }
  const fake = ctx.config.get(fakeDriverGroup);
  return new FakeDriver({
    host: ctx.host, vcpus: fake.vcpus, memoryMb: fake.memory_mb, localGb: fake.local_gb, spawnSeconds: fake.spawn_seconds,
    destroySeconds: fake.destroy_seconds, powerSeconds: fake.power_seconds, failSpawn: fake.fail_spawn_hosts.includes(ctx.host), liveMigrationSeconds: fake.live_migration_seconds,
    vifPluggingTimeout: d.vif_plugging_timeout, vifPluggingIsFatal: d.vif_plugging_is_fatal, virtapi: events,
    sameHostColdMigrate: fake.supports_migrate_to_same_host,
  });
}

/** The guests' consoles as [vnc] and [serial_console] enable them. */
function qemuConsoles(ctx: RoleContext): QemuConsoleOptions {
  const vnc = ctx.config.get(vncGroup);
  const serial = ctx.config.get(serialConsoleGroup);
  return {
    ...(vnc.enabled ? { vnc: { listen: vnc.server_listen, proxyclientAddress: vnc.server_proxyclient_address } } : {}),
    ...(serial.enabled ? { serial: { address: serial.proxyclient_address, ports: parsePortRange(serial.port_range) } } : {}),
  };
}
