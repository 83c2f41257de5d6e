/**
 * The form a finished span is kept in by the file exporter, one JSON object a line, and read
 * back by `nubo trace`: ids in W3C hex, times in microseconds since the epoch, the service and
 * host of the process part that made it (its OpenTelemetry resource), and its attributes.
 */
import { SpanKind, SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import { hrTimeToMicroseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface SpanRecord {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  name: string;
  kind: 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
  service: string;
  host: string;
  /** Microseconds since the epoch. */
  start_us: number;
  duration_us: number;
  status: 'unset' | 'ok' | 'error';
  error?: string;
  attributes: Record<string, AttributeValue>;
}

const KINDS: Record<SpanKind, SpanRecord['kind']> = {
  [SpanKind.INTERNAL]: 'INTERNAL',
  [SpanKind.SERVER]: 'SERVER',
  [SpanKind.CLIENT]: 'CLIENT',
  [SpanKind.PRODUCER]: 'PRODUCER',
  [SpanKind.CONSUMER]: 'CONSUMER',
};

const STATUSES: Record<SpanStatusCode, SpanRecord['status']> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const ctx = span.spanContext();
  const attributes: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(span.attributes)) if (value !== undefined) attributes[key] = value;
  const resource = span.resource.attributes;
  return {
    trace_id: ctx.traceId,
    span_id: ctx.spanId,
    ...(span.parentSpanContext ? { parent_span_id: span.parentSpanContext.spanId } : {}),
    name: span.name,
    kind: KINDS[span.kind],
    service: String(resource['service.name'] ?? ''),
    host: String(resource['host.name'] ?? ''),
    start_us: Math.round(hrTimeToMicroseconds(span.startTime)),
    duration_us: Math.round(hrTimeToMicroseconds(span.duration)),
    status: STATUSES[span.status.code],
    ...(span.status.message ? { error: span.status.message } : {}),
    attributes,
  };
}
