// Tracing plumbing: spans and W3C traceparent across HTTP and RPC (inproc, and RabbitMQ when
// NUBO_TEST_AMQP_URL is set), the switch and sampling, the bounded file exporter, and the
// OTLP exporter against a local receiver.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { connect } from 'amqplib';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FastifyPluginAsync } from 'fastify';
import { tokenInfoFromBody } from '../auth/token-body.js';
import type { TokenValidator } from '../auth/token-info.js';
import { createHttpApp } from '../http/app.js';
import { mountService } from '../http/service-mount.js';
import { createLogger } from '../log/logger.js';
import { currentScope, newRequestId, runInScope, type RequestScope } from '../log/request-scope.js';
import { getTransport, RpcClient, RpcServer, type MessageContext } from '../messaging/index.js';
import { jsonErrorFault } from '../testing/faults.js';
import { FileSpanExporter } from './file-exporter.js';
import { requestTraced } from './http-spans.js';
import type { TracingOptions } from './options.js';
import { readSpans } from './trace-reader.js';
import { configureTracing, flushTracing, reportTracingProblems, SpanKind, startSpan, tracerFor, traceparentOf, type TracingHandle } from './tracing.js';

const OPTIONS: TracingOptions = { enabled: true, exporter: 'none', otlp_endpoint: 'http://127.0.0.1:4318/v1/traces', sample_ratio: 1, read_sample_ratio: 1, file_max_bytes: 1 << 20, file_max_files: 2 };
const AMQP_URL = process.env['NUBO_TEST_AMQP_URL'];
const RUN = randomUUID().slice(0, 8);

function tracing(o: Partial<TracingOptions> = {}): { exporter: InMemorySpanExporter; handle: TracingHandle } {
  const exporter = new InMemorySpanExporter();
  return { exporter, handle: configureTracing({ ...OPTIONS, ...o }, tmpdir(), exporter) };
}

/** Run `fn` in the scope of a traced root span of `service`, as an HTTP request would be. */
function inRootSpan<T>(fn: () => Promise<T>): { result: Promise<T>; traceparent: string } {
  const tracer = tracerFor({ service: 'caller', host: 'h0' })!;
  const span = startSpan(tracer, 'root', SpanKind.SERVER, {}, ROOT_CONTEXT);
  const scope: RequestScope = { requestId: newRequestId(), trace: { span, tracer } };
  const result = runInScope(scope, fn).finally(() => span.end());
  return { result, traceparent: traceparentOf(span) };
}

const TRANSPORTS = [
  { name: 'inproc', url: `inproc://trace_${RUN}`, skip: false as const },
  { name: 'amqp', url: AMQP_URL ?? '', skip: AMQP_URL ? (false as const) : 'NUBO_TEST_AMQP_URL not set' },
];

for (const bus of TRANSPORTS) {
  describe(`traceparent over ${bus.name}`, { skip: bus.skip, timeout: 60_000 }, () => {
    test('a call and a cast carry the caller\'s trace; the handler runs in a span that continues it', async () => {
      const { exporter, handle } = tracing();
      const transport = await getTransport(bus.url, { controlExchange: `nubo_trace_${RUN}` });
      const topic = `trace_${RUN}_${bus.name}`;
      const seen: Array<{ traceparent: unknown; scopeTrace: string | undefined }> = [];
      let castDone!: () => void;
      const castSeen = new Promise<void>((r) => { castDone = r; });
      const endpoint = {
        echo(ctx: MessageContext, args: Record<string, unknown>) {
          seen.push({ traceparent: ctx['traceparent'], scopeTrace: currentScope()?.trace?.span.spanContext().traceId });
          return args['x'];
        },
        note(ctx: MessageContext) {
          seen.push({ traceparent: ctx['traceparent'], scopeTrace: currentScope()?.trace?.span.spanContext().traceId });
          castDone();
        },
      };
      const server = new RpcServer(transport, { topic, server: 'h1' }, [endpoint], { trace: { service: 'worker', host: 'h1' } });
      await server.start();
      try {
        const client = new RpcClient(transport, { topic, server: 'h1' });
        const { result, traceparent } = inRootSpan(async () => {
          assert.equal(await client.call({ request_id: currentScope()!.requestId }, 'echo', { x: 7 }), 7);
          await client.cast({}, 'note');
          await castSeen;
        });
        await result;
        // outside any trace: no traceparent, no span
        assert.equal(await client.call({}, 'echo', { x: 1 }), 1);
        await flushTracing();
        const traceId = traceparent.split('-')[1];
        assert.equal(seen.length, 3);
        for (const s of seen.slice(0, 2)) {
          assert.match(String(s.traceparent), new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
          assert.equal(s.scopeTrace, traceId);
        }
        assert.equal(seen[2]!.traceparent, undefined);
        const spans = exporter.getFinishedSpans();
        const byName = (n: string) => spans.find((s) => s.name === n)!;
        const call = byName(`call ${topic}.echo`);
        const handled = byName(`handle ${topic}.echo`);
        const cast = byName(`cast ${topic}.note`);
        const consumed = byName(`handle ${topic}.note`);
        assert.equal(call.kind, SpanKind.CLIENT);
        assert.equal(handled.kind, SpanKind.SERVER);
        assert.equal(cast.kind, SpanKind.PRODUCER);
        assert.equal(consumed.kind, SpanKind.CONSUMER);
        assert.equal(handled.parentSpanContext?.spanId, call.spanContext().spanId);
        assert.equal(consumed.parentSpanContext?.spanId, cast.spanContext().spanId);
        for (const s of [call, handled, cast, consumed]) assert.equal(s.spanContext().traceId, traceId);
        assert.equal(handled.resource.attributes['service.name'], 'worker');
        assert.equal(handled.resource.attributes['host.name'], 'h1');
        assert.equal(call.resource.attributes['service.name'], 'caller');
        assert.equal(spans.filter((s) => s.name === `handle ${topic}.echo`).length, 1, 'the untraced call made no span');
      } finally {
        await server.stop();
        await transport.close();
        await handle.shutdown();
        if (bus.name === 'amqp') await deleteFromBroker(bus.url, [topic, `${topic}.h1`], [`${topic}_fanout`, `nubo_trace_${RUN}`]);
      }
    });
  });
}

/** What the AMQP run declared on the broker, deleted. */
async function deleteFromBroker(url: string, queues: string[], exchanges: string[]): Promise<void> {
  const conn = await connect(url);
  try {
    const ch = await conn.createChannel();
    for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
    for (const x of exchanges) await ch.deleteExchange(x).catch(() => undefined);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

const info = tokenInfoFromBody({
  methods: ['password'], user: { id: 'u1', name: 'alice', domain: { id: 'default', name: 'Default' } },
  project: { id: 'p1', name: 'demo', domain: { id: 'default', name: 'Default' } }, roles: [{ id: 'r1', name: 'member' }],
  expires_at: '2099-01-01T00:00:00Z', issued_at: '2026-01-01T00:00:00Z', audit_ids: ['a'],
});
const validator: TokenValidator = { validate: async () => info };

/** The /slow route tells when a request has reached it, and answers once released. */
const slow = { entered: () => {}, released: Promise.resolve() };

async function tracedApp() {
  const routes: FastifyPluginAsync = async (app) => {
    app.get('/things/:thing_id', async () => ({ trace: currentScope()?.trace?.span.spanContext().traceId }));
    app.get('/boom', async () => { throw new Error('internal'); });
    app.get('/slow', async () => {
      slow.entered();
      await slow.released;
      return {};
    });
  };
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  const app = createHttpApp({ log: createLogger({ level: 'error', destination: quiet }), bodyLimit: 1024, keepAliveTimeout: 1000 });
  await mountService(app, routes, { prefix: '/svc', fault: jsonErrorFault, validator, authUri: 'http://x/identity', trace: { service: 'svc', host: 'h2' } });
  return app;
}

describe('HTTP server spans', () => {
  test('a request continues the caller\'s traceparent; method, route, status and request id are attributes', async () => {
    const { exporter, handle } = tracing();
    const app = await tracedApp();
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await app.inject({ url: '/svc/things/42', headers: { 'x-auth-token': 't', traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().trace, traceId);
      await app.inject({ url: '/svc/boom', headers: { 'x-auth-token': 't', traceparent: 'garbage' } });
      await flushTracing();
      const [get, boom] = [
        exporter.getFinishedSpans().find((s) => s.name === 'GET /things/{thing_id}')!,
        exporter.getFinishedSpans().find((s) => s.name === 'GET /boom')!,
      ];
      assert.equal(get.kind, SpanKind.SERVER);
      assert.equal(get.spanContext().traceId, traceId);
      assert.equal(get.parentSpanContext?.spanId, '00f067aa0ba902b7');
      assert.equal(get.attributes['http.route'], '/things/{thing_id}');
      assert.equal(get.attributes['http.response.status_code'], 200);
      assert.equal(get.attributes['nubo.request_id'], res.headers['x-openstack-request-id']);
      assert.equal(get.resource.attributes['service.name'], 'svc');
      assert.notEqual(boom.spanContext().traceId, traceId, 'a malformed traceparent starts a new trace');
      assert.equal(boom.parentSpanContext, undefined);
      assert.equal(boom.status.code, 2);
    } finally {
      await app.close();
      await handle.shutdown();
    }
  });

  test('a request its client gives up on ends its span with an error', async () => {
    const { exporter, handle } = tracing();
    const app = await tracedApp();
    let release = () => {};
    slow.released = new Promise<void>((r) => { release = r; });
    const entered = new Promise<void>((r) => { slow.entered = r; });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const client = request({ host: '127.0.0.1', port, path: '/svc/slow', headers: { 'x-auth-token': 't' }, agent: false });
      client.on('error', () => undefined);
      client.end();
      await entered;
      client.destroy();
      const deadline = Date.now() + 15_000;
      let span;
      while (!(span = exporter.getFinishedSpans().find((s) => s.name === 'GET /slow')) && Date.now() < deadline) {
        await flushTracing();
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(span, 'the span of the abandoned request is ended');
      assert.equal(span.status.code, 2);
      assert.equal(span.status.message, 'request aborted by the client');
    } finally {
      release();
      await app.close();
      await handle.shutdown();
    }
  });

  test('disabled: no spans, nothing in the scope; ratios 0: no new traces, but a sampled caller is followed', async () => {
    const off = configureTracing({ ...OPTIONS, enabled: false }, tmpdir());
    let app = await tracedApp();
    const res = await app.inject({ url: '/svc/things/1', headers: { 'x-auth-token': 't' } });
    assert.equal(res.json().trace, undefined);
    await app.close();
    await off.shutdown();

    const { exporter, handle } = tracing({ sample_ratio: 0, read_sample_ratio: 0 });
    app = await tracedApp();
    const unsampled = await app.inject({ url: '/svc/things/1', headers: { 'x-auth-token': 't' } });
    assert.equal(unsampled.json().trace, undefined, 'a request not sampled makes no span');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await app.inject({ url: '/svc/things/2', headers: { 'x-auth-token': 't', traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    await flushTracing();
    // a caller's decision not to sample is followed too
    await app.inject({ url: '/svc/things/3', headers: { 'x-auth-token': 't', traceparent: '00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' } });
    await flushTracing();
    assert.deepEqual(exporter.getFinishedSpans().map((s) => s.spanContext().traceId), [traceId], 'only the sampled caller\'s trace is kept');
    await app.close();
    await handle.shutdown();
  });
});

test('reads and writes are sampled apart: read_sample_ratio 0 traces no GET, sample_ratio 1 every POST', async () => {
  const { exporter, handle } = tracing({ sample_ratio: 1, read_sample_ratio: 0 });
  const app = createHttpApp({ log: createLogger({ level: 'error', destination: { write: () => true } as unknown as NodeJS.WritableStream }), bodyLimit: 1024, keepAliveTimeout: 1000 });
  await mountService(app, async (r) => {
    r.get('/x', async () => ({}));
    r.post('/x', async () => ({}));
  }, { prefix: '/svc', fault: jsonErrorFault, validator, authUri: 'http://x/identity', trace: { service: 'svc', host: 'h' } });
  try {
    for (let i = 0; i < 5; i++) {
      await app.inject({ url: '/svc/x', headers: { 'x-auth-token': 't' } });
      await app.inject({ method: 'POST', url: '/svc/x', headers: { 'x-auth-token': 't', 'content-type': 'application/json' }, payload: '{}' });
    }
    await flushTracing();
    assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), Array(5).fill('POST /x'));
  } finally {
    await app.close();
    await handle.shutdown();
  }
});

describe('exporters', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  test('the file exporter rotates and keeps at most file_max_files old files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nubo-traces-'));
    dirs.push(dir);
    const { handle } = tracing();
    await handle.shutdown();
    const handle2 = configureTracing({ ...OPTIONS, exporter: 'file', file_max_bytes: 4096, file_max_files: 2 }, dir,
      new FileSpanExporter({ dir, maxBytes: 4096, maxFiles: 2 }));
    const tracer = tracerFor({ service: 'svc', host: 'h' })!;
    for (let i = 0; i < 200; i++) {
      startSpan(tracer, `span ${i}`, SpanKind.INTERNAL, { i }, ROOT_CONTEXT).end();
      if (i % 20 === 19) await flushTracing();
    }
    await handle2.shutdown();
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['spans.1.jsonl', 'spans.2.jsonl', 'spans.jsonl']);
    for (const f of files) assert.ok(statSync(join(dir, f)).size <= 4096 + 20 * 400, f);
    const kept = readSpans(dir);
    assert.ok(kept.length > 0 && kept.length < 200);
    assert.equal(kept.at(-1)!.name, 'span 199', 'the newest span is last');
    assert.equal(kept[0]!.service, 'svc');
  });

  test('the OTLP exporter posts the spans to <endpoint> (a local collector)', async () => {
    const received: Array<{ url: string; type: string; body: string }> = [];
    const collector = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        received.push({ url: req.url ?? '', type: String(req.headers['content-type']), body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const port = (collector.address() as AddressInfo).port;
    const handle = configureTracing({ ...OPTIONS, exporter: 'otlp', otlp_endpoint: `http://127.0.0.1:${port}/v1/traces` }, tmpdir());
    try {
      startSpan(tracerFor({ service: 'svc', host: 'h9' })!, 'exported span', SpanKind.SERVER, {}, ROOT_CONTEXT).end();
      await flushTracing();
      assert.equal(received.length, 1);
      assert.equal(received[0]!.url, '/v1/traces');
      assert.ok(received[0]!.body.length > 0);
      const text = received[0]!.type.includes('json') ? received[0]!.body : Buffer.from(received[0]!.body, 'latin1').toString('latin1');
      assert.ok(text.includes('exported span'), 'the span is in the body');
      assert.ok(text.includes('h9'), 'with its host');
    } finally {
      await handle.shutdown();
      await new Promise<void>((r) => collector.close(() => r()));
    }
  });

  test('a collector that cannot be reached loses the spans with a warning, and neither throws nor hangs', async () => {
    const warnings: string[] = [];
    reportTracingProblems((m) => warnings.push(m));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const handle = configureTracing({ ...OPTIONS, exporter: 'otlp', otlp_endpoint: `http://127.0.0.1:${port}/v1/traces` }, tmpdir());
    try {
      startSpan(tracerFor({ service: 'svc', host: 'h' })!, 'lost span', SpanKind.SERVER, {}, ROOT_CONTEXT).end();
      const t0 = Date.now();
      await flushTracing();
      assert.ok(Date.now() - t0 < 8000);
      assert.ok(warnings.some((w) => w.includes('could not be exported') && w.includes('ECONNREFUSED')), warnings.join('\n'));
    } finally {
      await handle.shutdown();
    }
  });
});

test("a request a lane declines keeps the lane's sampling decision: its route does not draw again", async () => {
  const { exporter, handle } = tracing({ sample_ratio: 1, read_sample_ratio: 0.5 });
  const app = createHttpApp({ log: createLogger({ level: 'error', destination: { write: () => true } as unknown as NodeJS.WritableStream }), bodyLimit: 1024, keepAliveTimeout: 1000 });
  const decisions: boolean[] = [];
  await mountService(app, async (r) => { r.get('/x', async () => ({})); }, {
    prefix: '/svc', fault: jsonErrorFault, validator, authUri: 'http://x/identity', trace: { service: 'svc', host: 'h' },
    // As a lane does: a traced request is left to the route; this one declines the others too.
    lanes: { '/x': ({ raw }) => { decisions.push(requestTraced(raw)); return undefined; } },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  // Draws: 0.9 (not sampled), then 0.1 (sampled) for the first request should its route draw
  // again; 0.2 (sampled) for the second.
  const draws = [0.9, 0.1, 0.2, 0.3];
  const random = Math.random;
  Math.random = () => draws.shift() ?? 0.99;
  try {
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/svc/x`;
    const first = await fetch(url, { headers: { 'x-auth-token': 't' } });
    await first.arrayBuffer();
    await flushTracing();
    assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), [], 'not sampled by the lane, not traced by the route');
    const second = await fetch(url, { headers: { 'x-auth-token': 't' } });
    await second.arrayBuffer();
    await flushTracing();
    assert.deepEqual(decisions, [false, true]);
    assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), ['GET /x'], 'sampled by the lane, traced by the route');
  } finally {
    Math.random = random;
    await app.close();
    await handle.shutdown();
  }
});
