/**
 * Inspectors for Microsoft's virtual disk formats: VHD (Connectix/VPC, a 512-byte big-endian
 * footer copy at the start) and VHDX (a little-endian structure of GUID-keyed region and
 * metadata tables, walked while the stream passes by).
 * https://github.com/qemu/qemu/blob/master/block/vpc.c
 * https://docs.microsoft.com/en-us/openspecs/windows_protocols/ms-vhdx/
 */
import { FileInspector, ImageFormatError, nullCheck } from './inspector.js';
import { CaptureRegion } from './regions.js';

export class VhdInspector extends FileInspector {
  readonly name = 'vhd';
  protected initialize(): void {
    this.newRegion('header', new CaptureRegion(0, 512));
    this.addSafetyCheck(nullCheck());
  }
  get formatMatch(): boolean {
    return this.region('header').data.subarray(0, 8).toString('latin1') === 'conectix';
  }
  override get virtualSize(): number {
    const r = this.region('header');
    if (!r.complete || !this.formatMatch) return 0;
    return Number(r.data.readBigUInt64BE(40));
  }
}

/** A Microsoft GUID from its 16-byte mixed-endian form, upper case. */
export function msGuid(buf: Buffer): string {
  const hex = (n: number, w: number): string => n.toString(16).toUpperCase().padStart(w, '0');
  const tail = [...buf.subarray(8, 16)].map((b) => hex(b, 2));
  return `${hex(buf.readUInt32LE(0), 8)}-${hex(buf.readUInt16LE(4), 4)}-${hex(buf.readUInt16LE(6), 4)}-${tail.slice(0, 2).join('')}-${tail.slice(2).join('')}`;
}

export class VhdxInspector extends FileInspector {
  readonly name = 'vhdx';
  static readonly METAREGION = '8B7CA206-4790-4B9A-B8FE-575F050F886E';
  static readonly VIRTUAL_DISK_SIZE = '2FA54224-CD1B-4876-B211-5DBED83BF4B8';
  private static readonly METADATA_TABLE_MAX_SIZE = 32 * 2048;

  protected initialize(): void {
    this.newRegion('ident', new CaptureRegion(0, 32));
    this.newRegion('header', new CaptureRegion(192 * 1024, 64 * 1024));
    this.addSafetyCheck(nullCheck());
  }

  protected override postProcess(): void {
    // The metadata region (and then the virtual-disk-size item) may start inside the chunk
    // that just completed the region pointing at it; the base class re-offers that chunk.
    if (this.region('header').complete && !this.hasRegion('metadata')) {
      const region = this.findMetaRegion();
      if (region) this.newRegion('metadata', region);
    } else if (this.hasRegion('metadata') && !this.hasRegion('vds')) {
      const region = this.findMetaEntry(VhdxInspector.VIRTUAL_DISK_SIZE);
      if (region) this.newRegion('vds', region);
    }
  }

  get formatMatch(): boolean {
    return this.region('ident').data.subarray(0, 8).toString('latin1') === 'vhdxfile';
  }

  private findMetaRegion(): CaptureRegion | undefined {
    const data = this.region('header').data;
    const regi = data.readUInt32LE(0);
    const count = data.readUInt32LE(8);
    if (regi !== 0x69676572) throw new ImageFormatError(`Region signature not found at ${this.region('header').offset.toString(16)}`);
    if (count >= 2048) throw new ImageFormatError(`Region count is ${count} (limit 2047)`);
    for (let i = 0; i < count; i++) {
      const start = 16 + i * 32;
      const entry = data.subarray(start, start + 32);
      if (msGuid(entry.subarray(0, 16)) === VhdxInspector.METAREGION) {
        const metaOffset = Number(entry.readBigUInt64LE(16));
        // Only the table (32-byte header + up to 2047 32-byte entries) is needed, not the data.
        return new CaptureRegion(metaOffset, 2048 * 32);
      }
    }
    return undefined;
  }

  private findMetaEntry(guid: string): CaptureRegion | undefined {
    const meta = this.region('metadata');
    const buf = meta.data;
    if (buf.length < 32) return undefined;
    const sig = buf.subarray(0, 8).toString('latin1');
    const count = buf.readUInt16LE(10);
    if (sig !== 'metadata') throw new ImageFormatError(`Invalid signature for metadata region: ${JSON.stringify(sig)}`);
    if (buf.length < 32 + count * 32) return undefined;
    if (count >= 2048) throw new ImageFormatError(`Metadata item count is ${count} (limit 2047)`);
    for (let i = 0; i < count; i++) {
      const off = 32 + i * 32;
      if (msGuid(buf.subarray(off, off + 16)) === guid) {
        const itemOffset = buf.readUInt32LE(off + 16);
        const itemLength = Math.min(buf.readUInt32LE(off + 20), VhdxInspector.METADATA_TABLE_MAX_SIZE);
        meta.length = buf.length; // stop capturing the table
        return new CaptureRegion(meta.offset + itemOffset, itemLength);
      }
    }
    return undefined;
  }

  override get virtualSize(): number {
    if (!this.hasRegion('vds') || !this.region('vds').complete) return 0;
    return Number(this.region('vds').data.readBigUInt64LE(0));
  }
}
