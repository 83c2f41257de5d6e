/**
 * The host as the qemu driver reports it: its real CPUs and memory (Placement applies the
 * allocation ratios), the disk of instances_path, the CPU model and QEMU's version (the memory
 * available now, for the spawn check: memory.ts).
 */
import { execFile } from 'node:child_process';
import { statfsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const GIB = 1024 ** 3;

export interface HostFacts {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
  freeDiskGb: number;
  cpuModel: string;
}

export function hostFacts(instancesPath: string): HostFacts {
  const fs = statfsSync(instancesPath);
  return {
    vcpus: cpus().length,
    memoryMb: Math.floor(totalmem() / 1024 / 1024),
    diskGb: Math.floor((fs.blocks * fs.bsize) / GIB),
    freeDiskGb: Math.floor((fs.bavail * fs.bsize) / GIB),
    cpuModel: cpus()[0]?.model ?? 'unknown',
  };
}

/** QEMU's version as nova reports hypervisor versions (major * 1000000 + minor * 1000 + micro); 0 when unknown. */
export function qemuVersion(binary: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], (err, stdout) => {
      const m = /version (\d+)\.(\d+)\.(\d+)/.exec(err ? '' : stdout);
      resolve(m ? Number(m[1]) * 1_000_000 + Number(m[2]) * 1000 + Number(m[3]) : 0);
    });
  });
}
