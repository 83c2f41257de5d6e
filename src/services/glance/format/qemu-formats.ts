/**
 * Inspectors for qemu's own formats: qcow2 (with the backing-file, external-data-file and
 * unknown-feature checks of the 2024 security fixes) and QED (recognised only to be refused).
 * Layouts: https://gitlab.com/qemu-project/qemu/-/blob/master/docs/interop/qcow2.txt
 */
import { bannedCheck, FileInspector, SafetyViolation } from './inspector.js';
import { CaptureRegion } from './regions.js';

const QCOW_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb]); // 'QFI\xfb'

interface QcowHeader {
  version: number;
  backingFileOffset: bigint;
  size: bigint;
}

/**
 * qcow2 (and the old v1, which fails the version check). Needs the first 512 bytes: magic,
 * version, backing file offset, virtual size, and the incompatible-features bitfield at 0x48.
 */
export class QcowInspector extends FileInspector {
  readonly name = 'qcow2';
  private static readonly I_FEATURES = 0x48;
  private static readonly I_FEATURES_LEN = 8;
  /** Highest incompatible-feature bit qemu knows (bits 0-3 may be set). */
  private static readonly I_FEATURES_MAX_BIT = 4;
  private header: QcowHeader | undefined;

  protected initialize(): void {
    this.newRegion('header', new CaptureRegion(0, 512));
    this.addSafetyCheck({ name: 'backing_file', run: () => this.checkBackingFile() });
    this.addSafetyCheck({ name: 'data_file', run: () => this.checkDataFile() });
    this.addSafetyCheck({ name: 'unknown_features', run: () => this.checkUnknownFeatures() });
  }

  protected override regionComplete(): void {
    const d = this.region('header').data;
    this.header = d.subarray(0, 4).equals(QCOW_MAGIC)
      ? { version: d.readUInt32BE(4), backingFileOffset: d.readBigUInt64BE(8), size: d.readBigUInt64BE(24) }
      : undefined;
  }

  get formatMatch(): boolean {
    return this.region('header').complete && this.header !== undefined;
  }

  override get virtualSize(): number {
    return this.header ? Number(this.header.size) : 0;
  }

  private features(): Buffer {
    const { I_FEATURES, I_FEATURES_LEN } = QcowInspector;
    return this.region('header').data.subarray(I_FEATURES, I_FEATURES + I_FEATURES_LEN);
  }

  private checkBackingFile(): void {
    if (this.region('header').data.readBigUInt64BE(8) !== 0n) throw new SafetyViolation('Image has a backing file');
  }

  private checkDataFile(): void {
    // Incompatible feature bit 2 (external data file) lives in the last byte (big-endian field).
    if ((this.features()[QcowInspector.I_FEATURES_LEN - 1]! & 0x04) !== 0) throw new SafetyViolation('Image has data_file set');
  }

  private checkUnknownFeatures(): void {
    const version = this.header?.version;
    if (version === 2) return; // v2 has no feature bitfields
    if (version !== 3) throw new SafetyViolation('Unsupported qcow2 version');
    const f = this.features();
    const { I_FEATURES_LEN, I_FEATURES_MAX_BIT } = QcowInspector;
    const maxByte = Math.floor(I_FEATURES_MAX_BIT / 8);
    for (let i = 0; i < I_FEATURES_LEN; i++) {
      const byteNum = I_FEATURES_LEN - 1 - i; // bit significance of byte i
      const allow = byteNum === maxByte ? (1 << (I_FEATURES_MAX_BIT % 8)) - 1 : byteNum > maxByte ? 0 : 0xff;
      if ((f[i]! & ~allow & 0xff) !== 0) throw new SafetyViolation('Unknown QCOW2 features found');
    }
  }
}

/** QED: nobody supports it any more; detect it so it is always refused. */
export class QedInspector extends FileInspector {
  readonly name = 'qed';
  protected initialize(): void {
    this.newRegion('header', new CaptureRegion(0, 512));
    this.addSafetyCheck(bannedCheck());
  }
  get formatMatch(): boolean {
    const r = this.region('header');
    return r.complete && r.data.subarray(0, 4).equals(Buffer.from('QED\0', 'latin1'));
  }
}
