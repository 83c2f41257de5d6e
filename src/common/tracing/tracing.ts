/**
 * The process's tracing: OpenTelemetry tracer providers (one per service and host this process
 * plays, so each span carries its service name and host as its resource), one batch processor
 * and exporter for all of them, sampling by ratio where a trace starts (writes and reads apart)
 * and by the caller's decision elsewhere, and the helpers the plumbing uses
 * to start spans. There is no global context manager: the span of the work in progress lives in
 * the request scope (log/request-scope.ts `trace`), which the HTTP hooks, RPC servers and
 * `inSpan` set, and parents are passed to the SDK explicitly. W3C `traceparent` carries a trace
 * across processes (HTTP header; `traceparent` in an RPC message's context).
 *
 * Traces start at HTTP requests (or at a message or request that brings a traceparent): work
 * outside any request, such as periodic tasks and agent heartbeats, makes no spans.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { currentScope, runInScope } from '../log/request-scope.js';
import { bootStepAttributes } from './boot-steps.js';
import { FileSpanExporter } from './file-exporter.js';
import type { TracingOptions } from './options.js';

export { SpanKind };

/** Who makes the spans: a service (project name) on a host. */
export interface TraceIdentity {
  service: string;
  host: string;
}

/** A tracer for one service on one host. */
export interface ServiceTracer extends TraceIdentity {
  readonly tracer: Tracer;
}

/** The span of the work in progress and the tracer its children are made with. */
export interface ActiveSpan {
  readonly span: Span;
  readonly tracer: ServiceTracer;
}

/** What code outside the plumbing may do with a span it is given. */
export interface SpanHandle {
  setAttribute(key: string, value: string | number | boolean | string[]): void;
}

class TracingRuntime {
  private readonly tracers = new Map<string, ServiceTracer>();
  // Roots are decided before a span is made (startsTrace): a span made without a parent is sampled.
  private readonly sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });

  constructor(private readonly processor: SpanProcessor, readonly writeRatio: number, readonly readRatio: number) {}

  tracerFor(service: string, host: string): ServiceTracer {
    const key = `${service}\n${host}`;
    let t = this.tracers.get(key);
    if (!t) {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service, 'host.name': host, 'service.namespace': 'nubo' }),
        sampler: this.sampler,
        spanProcessors: [this.processor],
      });
      t = { service, host, tracer: provider.getTracer('nubo') };
      this.tracers.set(key, t);
    }
    return t;
  }

  flush(): Promise<void> {
    return this.processor.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }
}

let runtime: TracingRuntime | undefined;

/** A processor that drops every span (exporter = none: spans are made and propagated only). */
const dropAll: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** The exporter the options name. */
export function exporterFor(o: TracingOptions, dataDir: string): SpanExporter | undefined {
  if (o.exporter === 'file') return new FileSpanExporter({ dir: tracesDir(dataDir), maxBytes: o.file_max_bytes, maxFiles: o.file_max_files });
  // A collector that does not answer costs an export (retries included) at most 3 s.
  if (o.exporter === 'otlp') return new OTLPTraceExporter({ url: o.otlp_endpoint, timeoutMillis: 3000 });
  return undefined;
}

export function tracesDir(dataDir: string): string {
  return join(dataDir, 'traces');
}

export interface TracingHandle {
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Set up tracing for this process from [tracing] (replacing an earlier set-up); with
 * `enabled = false` no spans are made. The handle flushes and shuts the exporter down.
 */
export function configureTracing(o: TracingOptions, dataDir: string, exporter: SpanExporter | undefined = exporterFor(o, dataDir)): TracingHandle {
  if (!o.enabled) {
    runtime = undefined;
    return { flush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  }
  const processor = exporter ? new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000, maxQueueSize: 8192, maxExportBatchSize: 512 }) : dropAll;
  const mine = new TracingRuntime(processor, o.sample_ratio, o.read_sample_ratio);
  runtime = mine;
  return {
    flush: () => mine.flush().catch(reportExportFailure),
    shutdown: async () => {
      if (runtime === mine) runtime = undefined;
      await mine.shutdown().catch(reportExportFailure);
    },
  };
}

/** Report OpenTelemetry's own problems (an exporter that cannot reach its collector, ...) as warnings. */
export function reportTracingProblems(warn: (message: string) => void): void {
  const w = (message: string, ...args: unknown[]): void => warn([message, ...args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a)))].join(' '));
  const quiet = (): void => undefined;
  diag.setLogger({ error: w, warn: w, info: quiet, debug: quiet, verbose: quiet }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
}

/** Whether this process makes spans. */
export function tracingEnabled(): boolean {
  return runtime !== undefined;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request that brings no traceparent starts a trace ([tracing] sample_ratio for
 * requests that change something, read_sample_ratio for reads). Decided before any span is
 * made, so that a request not sampled costs one random number.
 */
export function startsTrace(method: string): boolean {
  if (!runtime) return false;
  const ratio = READS.has(method) ? runtime.readRatio : runtime.writeRatio;
  return ratio >= 1 || (ratio > 0 && Math.random() < ratio);
}

/** The tracer of a service on a host; undefined while tracing is off. */
export function tracerFor(identity: TraceIdentity | undefined): ServiceTracer | undefined {
  return runtime && identity ? runtime.tracerFor(identity.service, identity.host || hostname()) : undefined;
}

/** The span of the work in progress, if it is traced. */
export function activeSpan(): ActiveSpan | undefined {
  return runtime ? currentScope()?.trace : undefined;
}

/** Start a span (its boot step attributes added from the table) under `parent`. */
export function startSpan(tracer: ServiceTracer, name: string, kind: SpanKind, attributes: Attributes, parent: Context): Span {
  const span = tracer.tracer.startSpan(name, { kind, attributes }, parent);
  if (span.isRecording()) {
    const step = bootStepAttributes(tracer.service, name);
    if (step) span.setAttributes(step);
  }
  return span;
}

/** A child of the span in progress, made by the same service and host; undefined outside a trace. */
export function startChildSpan(name: string, kind: SpanKind, attributes: Attributes = {}): ActiveSpan | undefined {
  const active = activeSpan();
  if (!active) return undefined;
  // A trace not sampled: children only pass the parent's context (sampled flag off) along.
  // (An ended parent still has children: a build runs on after its cast was handled.)
  const parent = active.span.spanContext();
  if ((parent.traceFlags & TraceFlags.SAMPLED) === 0) return { span: trace.wrapSpanContext(parent), tracer: active.tracer };
  return { span: startSpan(active.tracer, name, kind, attributes, trace.setSpan(ROOT_CONTEXT, active.span)), tracer: active.tracer };
}

/** The context a traceparent (W3C Trace Context) names, or undefined when it is absent or malformed. */
export function contextFromTraceparent(value: unknown): Context | undefined {
  if (typeof value !== 'string') return undefined;
  const parent = parseTraceParent(value);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true }) : undefined;
}

/** The W3C traceparent of a span (its sampled flag included). */
export function traceparentOf(span: Span): string {
  const c = span.spanContext();
  return `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** End a span, as an error when `err` is given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}

/**
 * Run `fn` inside a child span of the work in progress (INTERNAL unless told), in a request
 * scope where that span is the active one; without a trace in progress `fn` just runs.
 */
export async function inSpan<T>(name: string, attributes: Attributes, fn: (span: SpanHandle) => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  const scope = currentScope();
  const child = scope && startChildSpan(name, kind, attributes);
  if (!scope || !child) return fn({ setAttribute: () => undefined });
  try {
    const result = await runInScope({ ...scope, trace: child }, () => fn(child.span));
    endSpan(child.span);
    return result;
  } catch (err) {
    endSpan(child.span, err);
    throw err;
  }
}

export interface TraceMethodOptions<A extends unknown[], R> {
  /** Attributes from the call's arguments. */
  args?: (...args: A) => Attributes;
  /** Attributes from its result. */
  result?: (result: R) => Attributes;
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * Trace every call of `object[method]` as a span named `name` (or named from the arguments),
 * with attributes from its arguments and result: for the composition root, so managers and
 * drivers stay as they are. Without a trace in progress the method just runs.
 */
export function traceMethod<O extends object, K extends keyof O & string>(
  object: O,
  method: K,
  name: string | ((...args: O[K] extends AsyncMethod ? Parameters<O[K]> : never) => string),
  opts: O[K] extends AsyncMethod ? TraceMethodOptions<Parameters<O[K]>, Awaited<ReturnType<O[K]>>> : never,
): void {
  const original = object[method] as unknown as (...args: unknown[]) => Promise<unknown>;
  const o = opts as TraceMethodOptions<unknown[], unknown>;
  const nameOf = name as string | ((...args: unknown[]) => string);
  const wrapped = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    if (!activeSpan()) return original.apply(this, args);
    return inSpan(typeof nameOf === 'string' ? nameOf : nameOf(...args), o.args ? o.args(...args) : {}, async (span) => {
      const result = await original.apply(this, args);
      if (o.result) for (const [key, value] of Object.entries(o.result(result))) if (value !== undefined) span.setAttribute(key, value as string);
      return result;
    });
  };
  (object as Record<string, unknown>)[method] = wrapped;
}

/** Flush the spans made so far to the exporter (tests, `nubo` commands). */
export async function flushTracing(): Promise<void> {
  await runtime?.flush().catch(reportExportFailure);
}

/** An export that failed loses its spans; it is reported (reportTracingProblems), never thrown. */
function reportExportFailure(err: unknown): void {
  diag.error('tracing: spans could not be exported:', err);
}
