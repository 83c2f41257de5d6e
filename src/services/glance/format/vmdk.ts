/**
 * VMware VMDK inspector. Only the single-file variants (monolithicSparse, streamOptimized) are
 * considered safe: other create types reference extra extent files by name, which would let
 * an image read host files. The descriptor text is parsed cautiously (every line must be a
 * comment, ddb line, header field or extent without a path), as oslo.utils does since 2024.
 * Layout: a 512-byte little-endian "hosted sparse extent" header ('KDMV'), then a text
 * descriptor at sector 1; streamOptimized images may carry a footer that must match the header.
 */
import { FileInspector, ImageFormatError, SafetyViolation } from './inspector.js';
import { CaptureRegion, EndCaptureRegion } from './regions.js';

interface SparseHeader {
  sig: string;
  version: number;
  sectors: bigint;
  descSector: bigint;
  descCount: bigint;
  gdOffset: bigint;
}

function parseSparseHeader(buf: Buffer, offset = 0): SparseHeader {
  const b = buf.subarray(offset, offset + 64);
  if (b.length < 64) throw new ImageFormatError('VMDK header is truncated');
  return {
    sig: b.subarray(0, 4).toString('latin1'),
    version: b.readUInt32LE(4),
    sectors: b.readBigUInt64LE(12),
    descSector: b.readBigUInt64LE(28),
    descCount: b.readBigUInt64LE(36),
    gdOffset: b.readBigUInt64LE(56),
  };
}

const isPrintableOrSpace = (c: number): boolean => (c >= 0x20 && c < 0x7f) || (c >= 0x09 && c <= 0x0d);

export class VmdkInspector extends FileInspector {
  readonly name = 'vmdk';
  static readonly DESC_OFFSET = 0x200;
  static readonly DESC_MAX_SIZE = (1 << 20) - 1;
  static readonly GD_AT_END = 0xffffffffffffffffn;
  static readonly MIN_SPARSE_HEADER = 64;
  static readonly MARKER_EOS = 0;
  static readonly MARKER_FOOTER = 3;

  /** Lower-cased descriptor text once captured. */
  descText: string | undefined;
  /** The descriptor's createType, lower case ('monolithicsparse'), or 'formatnotfound'. */
  vmdkType: string | undefined;

  /**
   * @param allowedTypes createType values allowed (lower case); the format itself only ever
   *   allows monolithicSparse and streamOptimized, this can narrow it further.
   */
  constructor(private readonly allowedTypes: readonly string[] = ['monolithicsparse', 'streamoptimized']) {
    super();
  }

  protected initialize(): void {
    this.newRegion('header', new CaptureRegion(0, 512, VmdkInspector.MIN_SPARSE_HEADER));
    // Older text-only descriptors start at 0; re-created at the real offset once the header says so.
    this.newRegion('descriptor', new CaptureRegion(0, VmdkInspector.DESC_MAX_SIZE, 4));
    this.addSafetyCheck({ name: 'descriptor', run: () => this.checkDescriptor() });
  }

  protected override postProcess(): void {
    if (!this.hasRegion('header') || !this.region('header').complete) return;
    const headerData = this.region('header').data;
    const h = parseSparseHeader(headerData);
    if (h.sig !== 'KDMV') {
      if (headerData.every(isPrintableOrSpace)) {
        // Everything so far is ASCII text: maybe a text-only descriptor file, parsed later.
        this.deleteRegion('header');
        return;
      }
      throw new ImageFormatError(`Signature KDMV not found: ${JSON.stringify(h.sig)}`);
    }
    if (![1, 2, 3].includes(h.version)) throw new ImageFormatError(`Unsupported format version ${h.version}`);
    if (h.gdOffset === VmdkInspector.GD_AT_END && !this.hasRegion('footer')) {
      // The footer takes precedence over the header; we cannot seek, so check they agree.
      this.newRegion('footer', new EndCaptureRegion(1536));
      this.addSafetyCheck({ name: 'footer', run: () => this.checkFooter() });
    }
    const descOffset = Number(h.descSector) * 512;
    const descSize = Math.min(Number(h.descCount) * 512, VmdkInspector.DESC_MAX_SIZE);
    if (descOffset !== VmdkInspector.DESC_OFFSET) throw new ImageFormatError('Wrong descriptor location');
    if (this.region('descriptor').offset === 0) {
      this.deleteRegion('descriptor');
      this.newRegion('descriptor', new CaptureRegion(descOffset, descSize));
    }
  }

  protected override regionComplete(name: string): void {
    if (name === 'descriptor') this.parseDescriptor();
  }

  private parseDescriptor(): void {
    let data = this.region('descriptor').data;
    const nul = data.indexOf(0);
    if (nul >= 0) data = data.subarray(0, nul);
    if (!data.every((c) => c < 0x80)) return; // not ASCII: no descriptor
    const text = data.toString('latin1').toLowerCase();
    const key = 'createtype="';
    const idx = text.indexOf(key);
    let type = 'formatnotfound';
    if (idx >= 0) {
      const start = idx + key.length;
      const end = text.indexOf('"', start);
      if (end - start < 64) type = text.slice(start, end);
    }
    this.descText = text;
    this.vmdkType = type;
  }

  get formatMatch(): boolean {
    if (this.hasRegion('header')) return this.region('header').data.subarray(0, 4).toString('latin1') === 'KDMV';
    return this.vmdkType !== undefined && this.vmdkType !== 'formatnotfound';
  }

  override get virtualSize(): number {
    if (!this.descText || !this.hasRegion('header')) return 0;
    if (this.vmdkType !== 'monolithicsparse' && this.vmdkType !== 'streamoptimized') return 0;
    return Number(this.region('header').data.readBigUInt64LE(12)) * 512;
  }

  private checkDescriptor(): void {
    if (!this.descText) throw new SafetyViolation('No descriptor found');
    if (!this.vmdkType || !['monolithicsparse', 'streamoptimized'].includes(this.vmdkType)) {
      throw new SafetyViolation('Unsupported subformat');
    }
    if (!this.allowedTypes.includes(this.vmdkType)) throw new SafetyViolation(`VMDK create type ${this.vmdkType} is not allowed`);
    const extents: string[] = [];
    for (const raw of this.descText.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('ddb')) continue;
      if (line.includes('=') && !line.split('=')[0]!.includes(' ')) continue; // header field
      if (['rw', 'rdonly', 'noaccess'].includes(line.split(' ')[0]!)) {
        extents.push(line);
        continue;
      }
      throw new SafetyViolation('Invalid VMDK descriptor data');
    }
    if (extents.some((e) => e.includes('/'))) throw new SafetyViolation('Invalid extent filenames found');
    if (extents.length === 0) throw new SafetyViolation('No extents found');
  }

  private checkFooter(): void {
    const h = parseSparseHeader(this.region('header').data);
    const footer = this.region('footer').data;
    const f = parseSparseHeader(footer, 512);
    if (h.sig !== f.sig) throw new SafetyViolation('Header and footer signature do not match');
    if (h.version !== f.version) throw new SafetyViolation('Header and footer versions do not match');
    if (h.descSector !== f.descSector || h.descCount !== f.descCount) throw new SafetyViolation('Footer specifies a different descriptor than header');
    if (f.gdOffset === VmdkInspector.GD_AT_END) throw new SafetyViolation('Footer indicates another footer');
    const marker = (buf: Buffer): { val: bigint; size: number; type: number; zero: boolean } => ({
      val: buf.readBigUInt64LE(0),
      size: buf.readUInt32LE(8),
      type: buf.readUInt32LE(12),
      zero: buf.subarray(16, 512).every((b) => b === 0),
    });
    const fm = marker(footer.subarray(0, 512));
    if (fm.size !== 0 || fm.type !== VmdkInspector.MARKER_FOOTER || !fm.zero) throw new SafetyViolation('Footer marker is invalid');
    const eos = marker(footer.subarray(footer.length - 512));
    if (eos.val !== 0n || eos.size !== 0 || eos.type !== VmdkInspector.MARKER_EOS || !eos.zero) {
      throw new SafetyViolation('End-of-stream marker is invalid');
    }
  }
}
