/**
 * FormatDetector: runs every inspector over a stream at once (oslo.utils' InspectWrapper) and,
 * at the end, says which format the data is in. `inspectStream()` wraps it as a pass-through
 * Transform, so the upload is inspected while it is written to the store, in one pass.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { FileInspector, ImageFormatError, RawInspector } from './inspector.js';
import { GptInspector, IsoInspector, LuksInspector, VdiInspector } from './other-formats.js';
import { QcowInspector, QedInspector } from './qemu-formats.js';
import { VhdInspector, VhdxInspector } from './microsoft-formats.js';
import { VmdkInspector } from './vmdk.js';

export interface DetectorOptions {
  /** VMDK create types accepted (case-insensitive). */
  vmdkAllowedTypes?: readonly string[];
}

/** Every format name an inspector exists for (oslo.utils' ALL_FORMATS). */
export const INSPECTABLE_FORMATS = ['raw', 'qcow2', 'vhd', 'vhdx', 'vmdk', 'vdi', 'qed', 'iso', 'gpt', 'luks'] as const;

function allInspectors(opts: DetectorOptions): FileInspector[] {
  const vmdkTypes = (opts.vmdkAllowedTypes ?? ['streamOptimized', 'monolithicSparse']).map((t) => t.toLowerCase());
  return [
    new RawInspector(), new QcowInspector(), new VhdInspector(), new VhdxInspector(), new VmdkInspector(vmdkTypes),
    new VdiInspector(), new QedInspector(), new IsoInspector(), new GptInspector(), new LuksInspector(),
  ];
}

export class FormatDetector {
  private readonly inspectors: FileInspector[];
  private readonly errored = new Set<FileInspector>();
  private finished = false;

  constructor(opts: DetectorOptions = {}) {
    this.inspectors = allInspectors(opts);
  }

  /** Feed one chunk to every inspector still in the running. */
  write(chunk: Buffer): void {
    for (const inspector of this.inspectors) {
      if (this.errored.has(inspector)) continue;
      try {
        inspector.eatChunk(chunk);
      } catch {
        // An inspector that cannot parse the data is simply not this format.
        this.errored.add(inspector);
      }
    }
  }

  /** Signal the end of the stream. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const inspector of this.inspectors) {
      try {
        inspector.finish();
      } catch {
        this.errored.add(inspector);
      }
    }
  }

  private matches(inspector: FileInspector): boolean {
    if (this.errored.has(inspector)) return false;
    try {
      return inspector.formatMatch;
    } catch {
      return false;
    }
  }

  /**
   * Every format that matched (more than one is suspicious, except ISO+GPT); `[raw]` when
   * nothing specific matched; undefined while undecided (stream not finished).
   */
  get formats(): FileInspector[] | undefined {
    const specific = this.inspectors.filter((i) => i.name !== 'raw');
    const complete = specific.every((i) => this.errored.has(i) || i.complete);
    if (!complete && !this.finished) return undefined;
    const matched = specific.filter((i) => this.matches(i));
    return matched.length > 0 ? matched : this.inspectors.filter((i) => i.name === 'raw');
  }

  /**
   * The single format of the data.
   * @throws ImageFormatError when several formats matched (one header hidden in another)
   */
  get format(): FileInspector | undefined {
    const matched = this.formats;
    if (!matched) return undefined;
    if (matched.length > 1) throw new ImageFormatError(`Multiple formats detected: ${matched.map(String).join(',')}`);
    return matched[0];
  }
}

/** A pass-through stream that feeds a FormatDetector; the detector is finished at the end. */
export function inspectStream(detector: FormatDetector): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      detector.write(chunk);
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      detector.finish();
      done();
    },
  });
}
