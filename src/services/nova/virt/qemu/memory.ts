/**
 * What a guest's QEMU costs in host memory, and whether one more fits. A guest takes its
 * flavor's RAM and, on top, QEMU's own: under TCG the translation buffer (`-accel
 * tcg,tb-size`; QEMU's default is 1 GiB, filled as code is translated until it is flushed), the
 * VGA display's memory when VNC is on, and QEMU's heap, threads and libraries
 * (`bench/qemu-guest-memory.mjs` measures each). Placement counts only the flavor's RAM, as
 * nova's libvirt driver reports no overhead; the driver keeps the host honest at spawn: a guest
 * starts only when the host's MemAvailable, less what the running guests may still grow into
 * (their expected footprint minus their RSS now), holds the new guest's whole footprint.
 */
import { readFileSync } from 'node:fs';

/** QEMU 7.2's TCG translation buffer when tb-size is not given (DEFAULT_CODE_GEN_BUFFER_SIZE). */
export const QEMU_DEFAULT_TB_SIZE_MB = 1024;
/** VGA's video memory (vgamem_mb's default). */
export const VGA_MEMORY_MB = 16;

/** What sizes a guest's overhead, from the driver's settings. */
export interface OverheadSettings {
  accel: 'tcg' | 'kvm';
  /** [qemu] tcg_tb_size_mb (0: QEMU's default). */
  tcgTbSizeMb: number;
  /** Guests have a VGA display ([vnc] enabled). */
  vga: boolean;
  /** [qemu] memory_overhead_mb: QEMU's own heap, threads and libraries. */
  qemuOwnMb: number;
}

/** The memory a guest's QEMU takes beyond the guest's RAM (MiB): the most it grows to. */
export function guestOverheadMb(s: OverheadSettings): number {
  const tb = s.accel === 'tcg' ? (s.tcgTbSizeMb > 0 ? s.tcgTbSizeMb : QEMU_DEFAULT_TB_SIZE_MB) : 0;
  return s.qemuOwnMb + tb + (s.vga ? VGA_MEMORY_MB : 0);
}

/** A guest the host already holds: the footprint it may reach, and its resident memory now (0 when not started yet). */
export interface HeldGuest {
  expectedMb: number;
  rssMb: number;
}

export interface MemoryVerdict {
  fits: boolean;
  /** The new guest's footprint: its RAM and the overhead. */
  neededMb: number;
  /** MemAvailable less what the held guests may still take. */
  freeMb: number;
  availableMb: number;
  /** What the held guests may still grow into. */
  promisedMb: number;
}

/** Whether a guest of `neededMb` fits beside `held` on a host with `availableMb` available now. */
export function fitsInMemory(availableMb: number, held: readonly HeldGuest[], neededMb: number): MemoryVerdict {
  const promisedMb = held.reduce((sum, g) => sum + Math.max(0, g.expectedMb - g.rssMb), 0);
  const freeMb = availableMb - promisedMb;
  return { fits: freeMb >= neededMb, neededMb, freeMb, availableMb, promisedMb };
}

/** Where the driver reads the host's memory (/proc; tests give their own). */
export interface MemoryReader {
  /** MemAvailable, in MiB. */
  availableMb(): number;
  /** A process's VmRSS in MiB; 0 when it is gone. */
  rssMb(pid: number): number;
}

/** MemAvailable of /proc/meminfo, in MiB (the memory a new guest can take without swapping). */
export function availableMemoryMb(meminfo = readFileSync('/proc/meminfo', 'utf8')): number {
  const m = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo);
  if (!m) throw new Error('/proc/meminfo has no MemAvailable');
  return Math.floor(Number(m[1]) / 1024);
}

/** VmRSS of /proc/PID/status, in MiB (rounded up); 0 when the process is gone. */
export function processRssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.ceil(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

export const procMemory: MemoryReader = { availableMb: () => availableMemoryMb(), rssMb: processRssMb };
