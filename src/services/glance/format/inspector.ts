/**
 * The base of every disk-format inspector: a stream observer that is fed the image one chunk
 * at a time, keeps only the capture regions its format needs, and afterwards says whether the
 * data is in its format, what the virtual size is, and whether the image is safe to hand to
 * qemu. A port of oslo.utils' FileInspector (imageutils/format_inspector.py, the code behind
 * Glance's 2024 "glance-as-defender" checks); there is no maintained npm equivalent.
 */
import { CaptureRegion, EndCaptureRegion } from './regions.js';

/** The data cannot be parsed as (or does not match) the format. */
export class ImageFormatError extends Error {
  override name = 'ImageFormatError';
}

/** One safety check failed. */
export class SafetyViolation extends Error {
  override name = 'SafetyViolation';
}

/** One or more safety checks failed; `failures` maps check names to the reason. */
export class SafetyCheckFailed extends Error {
  override name = 'SafetyCheckFailed';
  constructor(readonly failures: ReadonlyMap<string, SafetyViolation>) {
    super(`Safety checks failed: ${[...failures.keys()].join(',')}`);
  }

  /** "backing_file (Image has a backing file), data_file (...)" for error messages. */
  describe(): string {
    return [...this.failures].map(([name, err]) => `${name} (${err.message})`).join(', ');
  }
}

export interface SafetyCheck {
  name: string;
  description?: string;
  /** Throws SafetyViolation (or SafetyCheckFailed for nested inspectors) when unsafe. */
  run(): void;
}

export const nullCheck = (): SafetyCheck => ({
  name: 'null',
  description: 'This file format has no meaningful safety check',
  run: () => undefined,
});

export const bannedCheck = (): SafetyCheck => ({
  name: 'banned',
  description: 'This file format is not allowed',
  run: () => {
    throw new SafetyViolation('This file format is not allowed');
  },
});

export abstract class FileInspector {
  /** The format's name as qemu-img (and Glance's disk_format) spell it. */
  abstract readonly name: string;
  protected totalCount = 0;
  private finished = false;
  private readonly regions = new Map<string, CaptureRegion>();
  private readonly checks = new Map<string, SafetyCheck>();

  /** Subclasses add their initial regions and safety checks. */
  protected abstract initialize(): void;

  /** True when the data read so far is (or the complete stream was) in this format. */
  abstract get formatMatch(): boolean;

  /** Subclass field initialisers run after the base constructor, so initialize() runs lazily. */
  private ready = false;
  private ensureReady(): void {
    if (this.ready) return;
    this.ready = true;
    this.initialize();
    if (this.checks.size === 0) throw new Error(`inspector ${this.name} defines no safety check`);
  }

  /** Present the next chunk of the stream. */
  eatChunk(chunk: Buffer): void {
    this.ensureReady();
    const before = new Set(this.regions.values());
    const completeBefore = new Set([...this.regions.values()].filter((r) => r.complete));
    this.totalCount += chunk.length;
    this.capture(chunk);
    this.postProcess();
    const added = [...this.regions.values()].filter((r) => !before.has(r));
    if (added.length > 0) this.capture(chunk, new Set(added));
    for (const [name, region] of this.regions) {
      if (region.complete && !completeBefore.has(region)) this.regionComplete(name);
    }
  }

  /** Signal the end of the stream (completes end-of-stream regions). */
  finish(): void {
    this.ensureReady();
    this.finished = true;
    for (const region of this.regions.values()) {
      if (region instanceof EndCaptureRegion) region.finish();
    }
  }

  private capture(chunk: Buffer, only?: Set<CaptureRegion>): void {
    if (this.finished) throw new Error('Inspector has been marked finished, no more data processing allowed');
    for (const region of this.regions.values()) {
      if (only && !only.has(region)) continue;
      if (region instanceof EndCaptureRegion || !region.complete) region.capture(chunk, this.totalCount);
    }
  }

  /** Hook run after each chunk; may add regions whose position depends on data read so far. */
  protected postProcess(): void {}

  /** Hook run once when a region becomes complete. */
  protected regionComplete(_name: string): void {}

  protected region(name: string): CaptureRegion {
    const r = this.regions.get(name);
    if (!r) throw new ImageFormatError(`Inspector has no region ${name}`);
    return r;
  }

  protected hasRegion(name: string): boolean {
    return this.regions.has(name);
  }

  protected newRegion(name: string, region: CaptureRegion): void {
    if (this.regions.has(name)) throw new ImageFormatError(`Inspector re-added region ${name}`);
    this.regions.set(name, region);
  }

  protected deleteRegion(name: string): void {
    this.regions.delete(name);
  }

  protected addSafetyCheck(check: SafetyCheck): void {
    if (this.checks.has(check.name)) throw new Error(`Duplicate check of name ${check.name}`);
    this.checks.set(check.name, check);
  }

  /** Virtual disk size in bytes, 0 when unknown. */
  get virtualSize(): number {
    return this.totalCount;
  }

  /** Bytes seen (the file size once the whole stream was read). */
  get actualSize(): number {
    return this.totalCount;
  }

  /** True once every region has what it needs. */
  get complete(): boolean {
    this.ensureReady();
    for (const r of this.regions.values()) if (!r.complete) return false;
    return true;
  }

  /** Bytes held per region (for auditing memory use). */
  contextInfo(): Record<string, number> {
    return Object.fromEntries([...this.regions].map(([n, r]) => [n, r.data.length]));
  }

  /**
   * Run every safety check.
   * @throws ImageFormatError when the data is incomplete or not in this format
   * @throws SafetyCheckFailed when one or more checks fail
   */
  safetyCheck(): void {
    if (!this.complete) throw new ImageFormatError('Incomplete file cannot be safety checked');
    if (!this.formatMatch) throw new ImageFormatError(`Unable to safety check format ${this.name} because content does not match`);
    const failures = new Map<string, SafetyViolation>();
    for (const check of this.checks.values()) {
      try {
        check.run();
      } catch (err) {
        if (err instanceof SafetyCheckFailed) {
          for (const [name, f] of err.failures) failures.set(`inner_${name}`, f);
        } else if (err instanceof SafetyViolation) {
          failures.set(check.name, err);
        } else {
          failures.set(check.name, new SafetyViolation('Unexpected error'));
        }
      }
    }
    if (failures.size > 0) throw new SafetyCheckFailed(failures);
  }

  toString(): string {
    return this.name;
  }
}

/** Raw data: matches anything, no checks. The fallback when nothing specific matches. */
export class RawInspector extends FileInspector {
  readonly name = 'raw';
  protected initialize(): void {
    this.addSafetyCheck(nullCheck());
  }
  get formatMatch(): boolean {
    return true;
  }
}
