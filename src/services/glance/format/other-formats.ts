/**
 * Inspectors for the remaining formats Glance recognises: VirtualBox VDI, ISO 9660/UDF, the
 * GPT/MBR partition table (a raw disk with a partition table) and LUKS v1 (detected and
 * version-checked; its payload is never decrypted here).
 */
import { FileInspector, nullCheck, SafetyViolation } from './inspector.js';
import { CaptureRegion } from './regions.js';

/** VirtualBox VDI: magic 0xbeda107f at 0x40, virtual size at 0x170 (little-endian). */
export class VdiInspector extends FileInspector {
  readonly name = 'vdi';
  protected initialize(): void {
    this.newRegion('header', new CaptureRegion(0, 512));
    this.addSafetyCheck(nullCheck());
  }
  get formatMatch(): boolean {
    const r = this.region('header');
    return r.complete && r.data.readUInt32LE(0x40) === 0xbeda107f;
  }
  override get virtualSize(): number {
    if (!this.formatMatch) return 0;
    return Number(this.region('header').data.readBigUInt64LE(0x170));
  }
}

/** ISO 9660 and UDF: the volume descriptor after the 32 KiB system area. */
export class IsoInspector extends FileInspector {
  readonly name = 'iso';
  protected initialize(): void {
    this.newRegion('system_area', new CaptureRegion(0, 32 * 1024));
    this.newRegion('header', new CaptureRegion(32 * 1024, 2 * 1024));
    this.addSafetyCheck(nullCheck());
  }
  get formatMatch(): boolean {
    if (!this.complete) return false;
    const sig = this.region('header').data.subarray(1, 6).toString('latin1');
    return sig === 'CD001' || sig === 'NSR02' || sig === 'NSR03';
  }
  override get virtualSize(): number {
    if (!this.formatMatch) return 0;
    const h = this.region('header').data;
    if (h[0] !== 1) return 0; // not a primary volume descriptor
    // Both fields are stored little- then big-endian; the little-endian halves suffice.
    const blockSize = h.readUInt16LE(128);
    const blocks = h.readUInt32LE(80);
    return blocks * blockSize;
  }
}

/** GPT (and legacy MBR) partition tables, with the protective-MBR sanity checks. */
export class GptInspector extends FileInspector {
  readonly name = 'gpt';
  private static readonly MBR_SIGNATURE = 0xaa55;
  private static readonly MBR_PTE_START = 446;
  private static readonly MEDIA_TYPE_FDISK = 0xf8;

  protected initialize(): void {
    this.newRegion('mbr', new CaptureRegion(0, 512));
    this.addSafetyCheck({ name: 'mbr', run: () => this.checkMbrPartitions() });
  }

  /** A FAT volume boot record looks like an MBR; exclude it. */
  private isFat(): boolean {
    const b = this.region('mbr').data;
    return b[0x10] === 2 && b[0x15] === GptInspector.MEDIA_TYPE_FDISK;
  }

  get formatMatch(): boolean {
    const r = this.region('mbr');
    if (!r.complete) return false;
    return r.data.readUInt16LE(510) === GptInspector.MBR_SIGNATURE && !this.isFat();
  }

  private checkMbrPartitions(): void {
    const data = this.region('mbr').data;
    const valid: number[] = [];
    let foundGpt = false;
    for (let i = 0; i < 4; i++) {
      const pte = data.subarray(GptInspector.MBR_PTE_START + 16 * i, GptInspector.MBR_PTE_START + 16 * (i + 1));
      const boot = pte[0]!;
      const ostype = pte[4]!;
      if (boot !== 0x00 && boot !== 0x80) throw new SafetyViolation(`MBR PTE ${i} has invalid boot flag`);
      if (ostype !== 0) valid.push(i);
      if (ostype === 0xee) {
        foundGpt = true;
        if (pte[1] !== 0x00 || pte[2] !== 0x02 || pte[3] !== 0x00) throw new SafetyViolation('GPT MBR has invalid start CHS');
        if (pte.readUInt32LE(8) !== 1) throw new SafetyViolation('GPT MBR has invalid start LBA');
      }
    }
    if (foundGpt && !(valid.length === 1 && valid[0] === 0)) throw new SafetyViolation('GPT MBR defines invalid extra partitions');
    if (valid.length === 0) throw new SafetyViolation('GPT MBR has no partitions defined');
  }
}

/**
 * LUKS v1 container. Without a passphrase the inner format cannot be inspected, so only the
 * version is checked (as oslo.utils does when no passphrase is given).
 */
export class LuksInspector extends FileInspector {
  readonly name = 'luks';
  protected initialize(): void {
    this.newRegion('header', new CaptureRegion(0, 592));
    this.addSafetyCheck({ name: 'version', run: () => this.checkVersion() });
  }
  get formatMatch(): boolean {
    return this.region('header').data.subarray(0, 6).equals(Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]));
  }
  private payloadOffset(): number {
    return this.region('header').data.readUInt32BE(104);
  }
  private checkVersion(): void {
    const version = this.region('header').data.readUInt16BE(6);
    if (version !== 1) throw new SafetyViolation(`LUKS version ${version} is not supported`);
  }
  override get virtualSize(): number {
    return Math.max(0, this.totalCount - this.payloadOffset() * 512);
  }
}
