/**
 * The reports of LVM the driver reads: `vgs` (size and free GiB of the volume group) and `lvs`
 * (name, GiB, attributes and data percent of its logical volumes), asked for in GiB without
 * suffixes and with `:` between fields.
 */
import { VolumeBackendAPIException } from '../../errors.js';

export interface VgReport { name: string; sizeGb: number; freeGb: number }

export interface LvReport {
  name: string;
  sizeGb: number;
  /** lv_attr: its first letter is the type (`-` plain, `o` origin of snapshots, `s` snapshot, `t` thin pool, `V` thin volume). */
  attr: string;
  /** Thin pools and snapshots: percent of the data space used; null for the others. */
  dataPercent: number | null;
}

const REPORT = ['--noheadings', '--units', 'g', '--nosuffix', '--separator', ':'];

export function vgsArgs(vg: string): string[] {
  return [...REPORT, '-o', 'vg_name,vg_size,vg_free', vg];
}

export function lvsArgs(vg: string): string[] {
  return [...REPORT, '-o', 'lv_name,lv_size,lv_attr,data_percent', vg];
}

function rows(stdout: string): string[][] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => l.split(':').map((f) => f.trim()));
}

function gib(field: string | undefined, what: string): number {
  const n = Number((field ?? '').replace(',', '.'));
  if (field === undefined || field === '' || !Number.isFinite(n)) throw new VolumeBackendAPIException(`unexpected ${what} in an LVM report: ${String(field)}`);
  return n;
}

export function parseVgs(stdout: string): VgReport {
  const row = rows(stdout)[0];
  if (!row) throw new VolumeBackendAPIException('vgs reported no volume group');
  return { name: row[0]!, sizeGb: gib(row[1], 'vg_size'), freeGb: gib(row[2], 'vg_free') };
}

export function parseLvs(stdout: string): LvReport[] {
  return rows(stdout).map((r) => ({
    name: r[0]!, sizeGb: gib(r[1], 'lv_size'), attr: r[2] ?? '',
    dataPercent: r[3] ? gib(r[3], 'data_percent') : null,
  }));
}
