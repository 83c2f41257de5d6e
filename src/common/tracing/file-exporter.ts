/**
 * A bounded file exporter: finished spans appended as JSON lines (span-record.ts) to
 * `<dir>/spans.jsonl`; past `maxBytes` the file becomes spans.1.jsonl (spans.1 becomes
 * spans.2, ...) and only `maxFiles` rotated files are kept, so the traces of an all-in-one cloud
 * never take more than (maxFiles + 1) * maxBytes. Writes are queued one after another.
 */
import { mkdirSync, statSync } from 'node:fs';
import { appendFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { toSpanRecord } from './span-record.js';

export const CURRENT_FILE = 'spans.jsonl';

/** The rotated file of generation `n` (spans.1.jsonl is the newest rotated one). */
export function rotatedFile(n: number): string {
  return `spans.${n}.jsonl`;
}

export interface FileExporterOptions {
  dir: string;
  maxBytes: number;
  maxFiles: number;
}

export class FileSpanExporter implements SpanExporter {
  private size: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: FileExporterOptions) {
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    try {
      this.size = statSync(join(o.dir, CURRENT_FILE)).size;
    } catch {
      this.size = 0;
    }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const text = spans.map((s) => `${JSON.stringify(toSpanRecord(s))}\n`).join('');
    this.queue = this.queue.then(() => this.write(text)).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: Error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  async forceFlush(): Promise<void> {
    await this.queue;
  }

  async shutdown(): Promise<void> {
    await this.queue;
  }

  private async write(text: string): Promise<void> {
    const bytes = Buffer.byteLength(text);
    if (this.size > 0 && this.size + bytes > this.o.maxBytes) await this.rotate();
    await appendFile(join(this.o.dir, CURRENT_FILE), text, { mode: 0o600 });
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    const path = (n: number): string => join(this.o.dir, n === 0 ? CURRENT_FILE : rotatedFile(n));
    await rm(path(this.o.maxFiles), { force: true });
    for (let n = this.o.maxFiles - 1; n >= 0; n--) await rename(path(n), path(n + 1)).catch(() => undefined);
    if (this.o.maxFiles === 0) await rm(path(0), { force: true });
    this.size = 0;
  }
}
