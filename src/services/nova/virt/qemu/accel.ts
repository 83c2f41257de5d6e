/**
 * The accelerator: TCG unless told kvm, or asked to probe. The probe boots SeaBIOS under KVM
 * with no disk and watches its debug port: firmware that gets as far as trying the boot
 * devices means KVM runs guests here. (On some hosts /dev/kvm opens but guests hang or die in
 * the firmware: the probe then falls back to TCG.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Accel = 'tcg' | 'kvm';

/** What SeaBIOS prints once it is past POST and tries to boot. */
const FIRMWARE_DONE = /Booting from|No bootable device/;

/** Whether a KVM guest gets through SeaBIOS within `timeoutMs`. */
export function probeKvm(binary: string, timeoutMs = 5000): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-kvm-probe-'));
  const log = join(dir, 'firmware.log');
  return new Promise<boolean>((resolve) => {
    const child = execFile(binary, [
      '-accel', 'kvm', '-machine', 'pc', '-m', '32', '-nodefaults', '-no-user-config', '-display', 'none',
      '-chardev', `file,id=dbg,path=${log.replace(/,/g, ',,')}`, '-device', 'isa-debugcon,iobase=0x402,chardev=dbg', '-no-reboot',
    ], () => undefined);
    const started = Date.now();
    const timer = setInterval(() => {
      let text = '';
      try { text = readFileSync(log, 'utf8'); } catch { /* not written yet */ }
      const done = FIRMWARE_DONE.test(text);
      if (done || Date.now() - started > timeoutMs || child.exitCode !== null) {
        clearInterval(timer);
        child.kill('SIGKILL');
        resolve(done);
      }
    }, 100);
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** The accelerator [qemu] accel asks for: tcg, kvm, or kvm when the probe succeeds. */
export async function chooseAccel(setting: 'tcg' | 'kvm' | 'probe', binary: string): Promise<Accel> {
  if (setting !== 'probe') return setting;
  return (await probeKvm(binary)) ? 'kvm' : 'tcg';
}
