/**
 * Reading the spans the file exporter kept (<data_dir>/traces/spans*.jsonl) back: finding the
 * trace of a request id or of a server, and printing it as the numbered seed steps of a boot
 * (boot-steps.ts) with service, host, start offset and duration, then every span as a tree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperatorError } from '../errors.js';
import { FOLDED_STEPS, seedStep } from './boot-steps.js';
import type { SpanRecord } from './span-record.js';

/** Every span kept in `dir`, oldest file first; unreadable lines are skipped. */
export function readSpans(dir: string): SpanRecord[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => /^spans(\.\d+)?\.jsonl$/.test(f))
    .sort((a, b) => generation(b) - generation(a));
  const spans: SpanRecord[] = [];
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        spans.push(JSON.parse(line) as SpanRecord);
      } catch { /* a line cut by a crash */ }
    }
  }
  return spans;
}

function generation(file: string): number {
  const m = /^spans\.(\d+)\.jsonl$/.exec(file);
  return m ? Number(m[1]) : 0;
}

function attributeHas(span: SpanRecord, key: string, value: string): boolean {
  const v = span.attributes[key];
  return Array.isArray(v) ? (v as unknown[]).includes(value) : v === value;
}

/** The trace a request id (ours or the global one) belongs to; the newest when several do. */
export function traceOfRequest(spans: readonly SpanRecord[], requestId: string): string | undefined {
  const hits = spans.filter((s) => attributeHas(s, 'nubo.request_id', requestId) || attributeHas(s, 'nubo.global_request_id', requestId));
  return newest(hits)?.trace_id;
}

/** The trace of a server's boot: the one whose compute_api.create span names the server. */
export function traceOfServer(spans: readonly SpanRecord[], serverId: string): string | undefined {
  const hits = spans.filter((s) => attributeHas(s, 'nubo.instance_id', serverId));
  const create = hits.filter((s) => s.name === 'compute_api.create');
  return newest(create.length > 0 ? create : hits)?.trace_id;
}

function newest(spans: readonly SpanRecord[]): SpanRecord | undefined {
  return spans.reduce<SpanRecord | undefined>((a, b) => (!a || b.start_us > a.start_us ? b : a), undefined);
}

/** The spans of one trace, by start time. */
export function spansOfTrace(spans: readonly SpanRecord[], traceId: string): SpanRecord[] {
  return spans.filter((s) => s.trace_id === traceId).sort((a, b) => a.start_us - b.start_us);
}

const ms = (us: number): string => (us / 1000).toFixed(1);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/**
 * The trace as the boot's seed steps, in order, then the tree of every span. Start offsets are
 * whole milliseconds (a span's start is the wall clock's, durations are measured finer).
 */
export function formatTrace(trace: readonly SpanRecord[]): string {
  if (trace.length === 0) return 'no spans\n';
  const t0 = trace[0]!.start_us;
  const end = Math.max(...trace.map((s) => s.start_us + s.duration_us));
  const root = trace.find((s) => !s.parent_span_id || !trace.some((p) => p.span_id === s.parent_span_id)) ?? trace[0]!;
  const requestId = root.attributes['nubo.request_id'];
  const out: string[] = [
    `trace ${root.trace_id}${requestId ? ` (request ${String(requestId)})` : ''}: ${trace.length} spans, ${ms(end - t0)} ms`,
    '',
  ];
  const steps = trace.filter((s) => typeof s.attributes['nubo.boot.step'] === 'number');
  if (steps.length > 0) {
    const rows = [['step', 'service', 'host', 'start ms', 'dur ms', 'span', 'what']];
    for (const s of steps) {
      const n = s.attributes['nubo.boot.step'] as number;
      rows.push([String(n), s.service, s.host, `+${Math.round((s.start_us - t0) / 1000)}`, ms(s.duration_us), s.name, String(s.attributes['nubo.boot.step_name'] ?? '')]);
    }
    out.push('boot steps (seed: OpenStack新建云主机流程)', table(rows), '');
    const seen = new Set(steps.map((s) => s.attributes['nubo.boot.step'] as number));
    const lines = [...seen].sort((a, b) => a - b).map((n) => `  ${String(n).padStart(2)}. ${seedStep(n)?.en ?? ''} / ${seedStep(n)?.zh ?? ''}`);
    out.push('seed steps seen:', ...lines);
    const folded = [...FOLDED_STEPS].filter(([n]) => !seen.has(n)).map(([n, why]) => `  ${String(n).padStart(2)}. ${seedStep(n)?.en ?? ''}: ${why}`);
    if (folded.length > 0) out.push('seed steps without a span of their own:', ...folded);
    out.push('');
  }
  out.push('spans');
  const children = new Map<string, SpanRecord[]>();
  for (const s of trace) {
    if (s === root) continue;
    const parent = s.parent_span_id && trace.some((p) => p.span_id === s.parent_span_id) ? s.parent_span_id : root.span_id;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const rows = [['start ms', 'dur ms', 'service@host', 'kind', 'span']];
  const walk = (s: SpanRecord, depth: number): void => {
    const step = s.attributes['nubo.boot.step'];
    const status = s.status === 'error' ? ` !${s.error ?? 'error'}` : '';
    rows.push([`+${Math.round((s.start_us - t0) / 1000)}`, ms(s.duration_us), `${s.service}@${s.host}`, s.kind, `${'  '.repeat(depth)}${s.name}${step !== undefined ? ` [step ${String(step)}]` : ''}${status}`]);
    for (const c of children.get(s.span_id) ?? []) walk(c, depth + 1);
  };
  walk(root, 0);
  out.push(table(rows), '');
  return out.join('\n');
}

/** What `nubo trace` prints: the trace of a request id or of a server's boot, from the span files in `dir`. */
export function traceReport(dir: string, query: { requestId?: string; serverId?: string }): string {
  const spans = readSpans(dir);
  const traceId = query.serverId !== undefined ? traceOfServer(spans, query.serverId) : traceOfRequest(spans, query.requestId ?? '');
  if (!traceId) {
    const what = query.serverId !== undefined ? `the boot of server ${query.serverId}` : `request ${query.requestId ?? ''}`;
    throw new OperatorError(`no spans of ${what} in ${dir} (${spans.length} spans kept; tracing needs [tracing] enabled = true and exporter = file, and keeps the newest spans only)`);
  }
  return formatTrace(spansOfTrace(spans, traceId));
}
