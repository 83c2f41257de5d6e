/**
 * [tracing]: whether this process records spans (OpenTelemetry), where they go and how many
 * requests are sampled. Registered with the plumbing's groups by the launcher (cmd/load-config.ts).
 */
import { defineGroup, opt, type Values } from '../config/index.js';

export const tracingGroup = defineGroup('tracing', 'Request and boot-flow tracing (OpenTelemetry spans)', {
  enabled: opt.bool(true, 'Record a span for every HTTP request, outgoing REST call and RPC call/cast, with W3C traceparent propagation. false: no spans and no trace headers (near-free).'),
  exporter: opt.enum(['file', 'otlp', 'none'], 'file', 'Where spans go: file (JSON lines under <data_dir>/traces/, read by `nubo trace`), otlp (OTLP/HTTP JSON to otlp_endpoint, any OpenTelemetry collector) or none (spans are made and propagated but not kept).'),
  otlp_endpoint: opt.url('http://127.0.0.1:4318/v1/traces', 'OTLP/HTTP traces endpoint of a collector (exporter = otlp).', { schemes: ['http', 'https'] }),
  sample_ratio: opt.float(1, 'Share of the requests that change something (POST, PUT, PATCH, DELETE: a boot, ...) that start a trace, 0 to 1. A request that arrives with a traceparent follows its caller\'s decision instead. A request not sampled makes no span and passes no traceparent on.', { min: 0, max: 1 }),
  read_sample_ratio: opt.float(0.01, 'Share of the reads (GET, HEAD, OPTIONS) that start a trace, 0 to 1: reads are the hot path, where a span costs most relative to the work.', { min: 0, max: 1 }),
  file_max_bytes: opt.int(16 * 1024 * 1024, 'Size at which <data_dir>/traces/spans.jsonl is rotated (exporter = file).', { min: 4096 }),
  file_max_files: opt.int(4, 'Rotated span files kept besides the current one (exporter = file).', { min: 0 }),
});

export type TracingOptions = Values<typeof tracingGroup.opts>;
