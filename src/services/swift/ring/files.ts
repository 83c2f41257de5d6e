/**
 * Builder and ring files: `<name>.builder` (JSON) and `<name>.ring.gz` side by side, written
 * atomically (a temporary file renamed over the old one, so a reader never sees half a ring).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RingBuilder } from './builder.js';
import { serializeRing } from './ring-data.js';

export function writeAtomic(path: string, data: Buffer | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, { mode: 0o644 });
  renameSync(tmp, path);
}

/** `object.builder` → `object.ring.gz`. */
export function ringPathOf(builderPath: string): string {
  return builderPath.replace(/\.builder$/, '') + '.ring.gz';
}

export function loadBuilder(path: string): RingBuilder {
  return RingBuilder.fromJSON(readFileSync(path, 'utf8'));
}

export function saveBuilder(path: string, builder: RingBuilder): void {
  writeAtomic(path, builder.toJSON());
}

export function writeRing(builderPath: string, builder: RingBuilder): string {
  const ringPath = ringPathOf(builderPath);
  writeAtomic(ringPath, serializeRing(builder.ringData()));
  return ringPath;
}
