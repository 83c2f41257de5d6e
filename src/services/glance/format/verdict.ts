/**
 * Glance's decision about inspected upload data (glance/location.py ImageProxy.set_data since
 * the 2024 "require_image_format_match" change): the detected format must be the claimed
 * disk_format (a recognised rich format claimed as raw is tolerated, formats that cannot be
 * inspected such as ami must look raw), and the detected format's safety checks must pass.
 */
import { INSPECTABLE_FORMATS, type FormatDetector } from './detector.js';
import { ImageFormatError, SafetyCheckFailed, type FileInspector } from './inspector.js';

/** The uploaded data is not acceptable; the message names the problem. */
export class InvalidImageData extends Error {
  override name = 'InvalidImageData';
}

export interface VerdictOptions {
  /** [image] require_image_format_match: refuse mismatches instead of only logging them. */
  requireFormatMatch: boolean;
  /** GPT safety checks that only warn ([image] gpt_safety_checks_nonfatal). */
  gptNonfatalChecks?: readonly string[];
  warn?: (msg: string) => void;
}

export interface Verdict {
  /** The format the data is in ('raw' when nothing specific matched). */
  detected: string | undefined;
  /** Virtual size to record, when it could be determined. */
  virtualSize: number | undefined;
}

/**
 * Judge a finished detector against the image's disk_format.
 * @throws InvalidImageData when the data must be refused
 */
export function judgeUpload(detector: FormatDetector, diskFormat: string, opts: VerdictOptions): Verdict {
  const warn = opts.warn ?? (() => undefined);
  let inspector: FileInspector | undefined;
  try {
    const matched = detector.formats ?? [];
    const names = new Set(matched.map((i) => i.name));
    // A bootable ISO may legitimately carry a GPT in its system area.
    inspector = names.size === 2 && names.has('iso') && names.has('gpt') ? matched.find((i) => i.name === 'iso') : detector.format;
    if (!inspector) throw new ImageFormatError('Content does not match any allowed format');
    let virtualSize: number | undefined;
    const format = inspector.name;
    if (format === diskFormat) {
      virtualSize = inspector.virtualSize;
    } else if (format === 'raw' && !(INSPECTABLE_FORMATS as readonly string[]).includes(diskFormat)) {
      // ami, aki, ari, ploop ...: not inspectable, fine as long as nothing specific was recognised.
    } else if (diskFormat === 'raw') {
      warn(`Image claims raw disk_format but is actually ${format}`);
      virtualSize = inspector.actualSize;
    } else {
      throw new ImageFormatError(`Image disk_format ${diskFormat} does not match stream data ${format}`);
    }
    inspector.safetyCheck();
    return { detected: format, virtualSize: virtualSize || undefined };
  } catch (err) {
    if (err instanceof SafetyCheckFailed) {
      const nonfatal = new Set(opts.gptNonfatalChecks ?? []);
      const fatal = [...err.failures.keys()].filter((k) => !nonfatal.has(k));
      if (inspector?.name === 'gpt' && fatal.length === 0) {
        warn(`Non-fatal ${err.message}`);
        return { detected: 'gpt', virtualSize: undefined };
      }
      throw new InvalidImageData(`Image failed safety checks: ${err.describe()}`);
    }
    if (err instanceof ImageFormatError) {
      if (opts.requireFormatMatch) throw new InvalidImageData(err.message);
      warn(`Image format ${diskFormat} did not match; unable to calculate virtual size`);
      return { detected: undefined, virtualSize: undefined };
    }
    if (opts.requireFormatMatch) throw new InvalidImageData('Image format inspection failed');
    return { detected: undefined, virtualSize: undefined };
  }
}
