/**
 * `nubo ring <builder_file> <command> ...`: swift-ring-builder's commands on our builder files.
 *   create <part_power> <replicas> <min_part_hours>
 *   add [r<region>]z<zone>-<ip>:<port>[R<ip>:<port>]/<device>[_<meta>] <weight>
 *   add --region R --zone Z --ip IP --port P --device D --weight W [--meta M]
 *   remove <search_value>            (the device's partitions move away at the next rebalance)
 *   set_weight <search_value> <weight>
 *   set_info <search_value> <ip>:<port>[/<device>]
 *   rebalance                        (writes <name>.ring.gz)
 *   write_ring
 *   pretend_min_part_hours_passed
 *   show                             (also with no command)
 * A builder file given without a directory lives in swift_dir ([swift] swift_dir).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseAddValue, parseSearch, RingBuilder, RingBuilderError, type BuilderDevice, type NewDevice } from './builder.js';
import { loadBuilder, ringPathOf, saveBuilder, writeRing } from './files.js';
import { deserializeRing } from './ring-data.js';

export const RING_USAGE = `usage: nubo ring <builder_file> <command> [args]
  create <part_power> <replicas> <min_part_hours>
  add [r<region>]z<zone>-<ip>:<port>[R<ip>:<port>]/<device>[_<meta>] <weight> [...]
  add --region R --zone Z --ip IP --port P --device D --weight W [--meta M]
  remove <search_value>
  set_weight <search_value> <weight>
  set_info <search_value> <ip>:<port>[/<device>]
  rebalance
  write_ring
  pretend_min_part_hours_passed
  show
search values: d<id>r<region>z<zone>-<ip>:<port>/<device>_<meta> (each part optional)`;

export function builderPath(file: string, swiftDir: string): string {
  return isAbsolute(file) || file.includes('/') ? resolve(file) : join(swiftDir, file);
}

function num(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) throw new RingBuilderError(`${what} must be a number, got "${value ?? ''}"`);
  return Number(value);
}

function one(builder: RingBuilder, search: string): BuilderDevice {
  const found = builder.search(parseSearch(search));
  if (found.length === 0) throw new RingBuilderError(`no device matches "${search}"`);
  if (found.length > 1) throw new RingBuilderError(`"${search}" matches ${found.length} devices; be more specific (d<id>)`);
  return found[0]!;
}

function flagsToDevice(args: string[]): NewDevice {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i]!;
    if (!k.startsWith('--') || args[i + 1] === undefined) throw new RingBuilderError(`expected --name value pairs, got "${k}"`);
    flags[k.slice(2)] = args[i + 1]!;
  }
  for (const need of ['zone', 'ip', 'port', 'device', 'weight']) if (flags[need] === undefined) throw new RingBuilderError(`add needs --${need}`);
  return {
    region: flags.region !== undefined ? num(flags.region, 'region') : 1, zone: num(flags.zone, 'zone'), ip: flags.ip!,
    port: num(flags.port, 'port'), device: flags.device!, weight: num(flags.weight, 'weight'), meta: flags.meta ?? '',
    ...(flags.replication_ip ? { replication_ip: flags.replication_ip } : {}),
    ...(flags.replication_port ? { replication_port: num(flags.replication_port, 'replication_port') } : {}),
  };
}

export function describe(path: string, builder: RingBuilder): string {
  const s = builder.state;
  const devs = builder.devices();
  const regions = new Set(devs.map((d) => d.region)).size;
  const zones = new Set(devs.map((d) => `${d.region}/${d.zone}`)).size;
  const ringPath = ringPathOf(path);
  let ringState = `Ring file ${ringPath} not found`;
  if (existsSync(ringPath)) {
    try {
      const ring = deserializeRing(readFileSync(ringPath));
      ringState = ring.version === s.version && !s.dirty ? `Ring file ${ringPath} is up-to-date` : `Ring file ${ringPath} is obsolete`;
    } catch {
      ringState = `Ring file ${ringPath} is invalid`;
    }
  }
  const lines = [
    `${path}, build version ${s.version}`,
    `${builder.parts} partitions, ${s.replicas.toFixed(6)} replicas, ${regions} regions, ${zones} zones, ${devs.length} devices, ${builder.balance().toFixed(2)} balance`,
    `The minimum number of hours before a partition can be reassigned is ${s.min_part_hours}`,
    ringState,
    'Devices:   id region zone      ip address:port replication ip:port  name weight partitions balance meta',
  ];
  const total = devs.reduce((n, d) => n + d.weight, 0);
  for (const d of devs) {
    const want = total > 0 ? (builder.parts * s.replicas * d.weight) / total : 0;
    const bal = want > 0 ? (100 * d.parts) / want - 100 : 0;
    const removing = s.remove_dev_ids.includes(d.id) ? ' (removing)' : '';
    lines.push(`  ${String(d.id).padStart(10)} ${String(d.region).padStart(6)} ${String(d.zone).padStart(4)} ${`${d.ip}:${d.port}`.padStart(21)} ${`${d.replication_ip}:${d.replication_port}`.padStart(19)} ${d.device.padStart(5)} ${d.weight.toFixed(2).padStart(6)} ${String(d.parts).padStart(10)} ${bal.toFixed(2).padStart(7)} ${d.meta}${removing}`);
  }
  return lines.join('\n') + '\n';
}

/** Runs one command; returns what to print. Throws RingBuilderError for bad input. */
export function runRingCommand(args: string[], swiftDir: string): string {
  const [file, command = 'show', ...rest] = args;
  if (!file) throw new RingBuilderError(RING_USAGE);
  const path = builderPath(file, swiftDir);
  if (command === 'create') {
    const [pp, rep, mph] = rest;
    const builder = RingBuilder.create(num(pp, 'part_power'), num(rep, 'replicas'), num(mph, 'min_part_hours'));
    saveBuilder(path, builder);
    return `created ${path}\n`;
  }
  if (!existsSync(path)) throw new RingBuilderError(`no builder file ${path} (create it first)`);
  const builder = loadBuilder(path);
  switch (command) {
    case 'show':
      return describe(path, builder);
    case 'add': {
      const devices: NewDevice[] = [];
      if (rest[0]?.startsWith('--')) devices.push(flagsToDevice(rest));
      else {
        if (rest.length === 0 || rest.length % 2 !== 0) throw new RingBuilderError('add takes pairs of <device> <weight>');
        for (let i = 0; i < rest.length; i += 2) devices.push(parseAddValue(rest[i]!, num(rest[i + 1], 'weight')));
      }
      const out = devices.map((d) => {
        const id = builder.addDevice(d);
        return `Device d${id}r${d.region}z${d.zone}-${d.ip}:${d.port}/${d.device}_"${d.meta ?? ''}" with ${d.weight} weight got id ${id}`;
      });
      saveBuilder(path, builder);
      return out.join('\n') + '\n';
    }
    case 'remove': {
      if (!rest[0]) throw new RingBuilderError('remove needs a search value');
      const found = builder.search(parseSearch(rest[0]));
      if (found.length === 0) throw new RingBuilderError(`no device matches "${rest[0]}"`);
      for (const d of found) builder.removeDevice(d.id);
      saveBuilder(path, builder);
      return found.map((d) => `d${d.id}r${d.region}z${d.zone}-${d.ip}:${d.port}/${d.device} marked for removal and will be removed next rebalance.`).join('\n') + '\n';
    }
    case 'set_weight': {
      const d = one(builder, rest[0] ?? '');
      builder.setWeight(d.id, num(rest[1], 'weight'));
      saveBuilder(path, builder);
      return `d${d.id}r${d.region}z${d.zone}-${d.ip}:${d.port}/${d.device} weight set to ${rest[1]}\n`;
    }
    case 'set_info': {
      const d = one(builder, rest[0] ?? '');
      const m = /^([^:/]+):(\d+)(?:\/(.+))?$/.exec(rest[1] ?? '');
      if (!m) throw new RingBuilderError('set_info takes <search_value> <ip>:<port>[/<device>]');
      builder.setInfo(d.id, { ip: m[1]!, port: Number(m[2]), replication_ip: m[1]!, replication_port: Number(m[2]), ...(m[3] ? { device: m[3] } : {}) });
      saveBuilder(path, builder);
      if (builder.state.replica2part2dev) writeRing(path, builder);
      return `d${d.id} is now ${m[1]}:${m[2]}/${m[3] ?? d.device}\n`;
    }
    case 'rebalance': {
      const result = builder.rebalance();
      saveBuilder(path, builder);
      const ring = writeRing(path, builder);
      return `Reassigned ${result.partsMoved} (${((100 * result.partsMoved) / builder.parts).toFixed(2)}%) partitions (${result.replicasMoved} replicas). Balance is now ${result.balance.toFixed(2)}.\nWrote ${ring}\n`;
    }
    case 'write_ring':
      return `Wrote ${writeRing(path, builder)}\n`;
    case 'pretend_min_part_hours_passed':
      builder.pretendMinPartHoursPassed();
      saveBuilder(path, builder);
      return 'min_part_hours considered passed for every partition\n';
    default:
      throw new RingBuilderError(`unknown command "${command}"\n${RING_USAGE}`);
  }
}
