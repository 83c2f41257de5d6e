/**
 * The behavioural suite of the message bus, run over every transport: inproc always, AMQP
 * (RabbitMQ) when NUBO_TEST_AMQP_URL is set. Names (control exchange, topics, pools) are unique
 * per run so parallel runs on one broker do not meet; the AMQP run deletes what it declared.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from '../testing/node-test.js';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { TokenInfo } from '../auth/token-info.js';
import { RequestContext } from '../context.js';
import { NotFound, OperatorError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { currentScope } from '../log/request-scope.js';
import type { AmqpBroker } from './drivers/amqp.js';
import {
  getTransport,
  InvalidTarget,
  InvalidTransportUrl,
  MessagingTimeout,
  NOTIFICATION_PRIORITIES,
  NotificationListener,
  Notifier,
  RemoteError,
  RequestContextSerializer,
  RpcClient,
  RpcServer,
  RpcVersionCapError,
  TransportUnavailableError,
  type BusLogger,
  type EntitySerializer,
  type MessageContext,
  type NotificationEndpoint,
  type NotificationMetadata,
  type RpcServerOptions,
  type NotificationListenerOptions,
  type Transport,
} from './index.js';

const RUN = `${process.pid}_${Date.now().toString(36)}`;
let seq = 0;
const unique = (prefix: string): string => `${prefix}_${RUN}_${++seq}`;

const AMQP_URL = process.env['NUBO_TEST_AMQP_URL'];

interface LogEntry {
  level: string;
  obj: object;
  msg: string | undefined;
}

class CaptureLog implements BusLogger {
  readonly entries: LogEntry[] = [];
  debug(obj: object, msg?: string): void {
    this.entries.push({ level: 'debug', obj, msg });
  }
  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
}

/** Poll until `cond` holds (the bus is asynchronous); fail after `ms`. */
async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

class InstanceNotFound extends Error {
  readonly status = 404;
  readonly code = 404;
  constructor(id: string) {
    super(`Instance ${id} could not be found.`);
  }
}

/** A compute-like endpoint that records what it ran. */
class ComputeEndpoint {
  readonly target = { version: '1.3' };
  handled = 0;
  readonly casts: unknown[] = [];
  lastArgs: unknown;

  constructor(readonly name: string) {}

  echo(ctx: MessageContext, args: Record<string, unknown>) {
    this.handled++;
    this.lastArgs = args;
    (args['instance'] as { tags: string[] }).tags.push('mutated-by-server');
    return { ctx, args, server: this.name };
  }
  whoami() {
    this.handled++;
    return this.name;
  }
  async double(_ctx: MessageContext, args: Record<string, unknown>) {
    this.handled++;
    await new Promise((r) => setImmediate(r));
    return (args['n'] as number) * 2;
  }
  fail(_ctx: MessageContext, args: Record<string, unknown>) {
    throw new InstanceNotFound(String(args['id']));
  }
  failNubo() {
    throw new NotFound('Image nope could not be found.');
  }
  record(_ctx: MessageContext, args: Record<string, unknown>) {
    this.casts.push(args);
  }
  castFail() {
    throw new Error('cast went wrong');
  }
  _secret() {
    return 'private';
  }
}

class AdminEndpoint {
  readonly target = { namespace: 'admin', version: '2.1' };
  adminOnly() {
    return 'admin';
  }
}

interface Recorded {
  priority: string;
  ctx: MessageContext;
  publisherId: string;
  eventType: string;
  payload: unknown;
  metadata: NotificationMetadata;
}

/** A notification endpoint recording every priority it is given. */
function recorder(into: Recorded[], filterRule?: NotificationEndpoint['filterRule']): NotificationEndpoint {
  const endpoint: NotificationEndpoint = filterRule ? { filterRule } : {};
  for (const priority of NOTIFICATION_PRIORITIES) {
    endpoint[priority] = (ctx, publisherId, eventType, payload, metadata) => {
      into.push({ priority, ctx, publisherId, eventType, payload, metadata });
    };
  }
  return endpoint;
}

/** A pino logger (src/common/log) whose lines land, parsed, in `lines`. */
function capturingLogger(lines: Array<Record<string, unknown>>) {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return createLogger({ destination, level: 'debug' });
}

/** The API caller whose context the context tests send. */
function callerContext(): RequestContext {
  const auth: TokenInfo = {
    userId: 'u-caller', userName: 'carol', userDomainId: 'default', userDomainName: 'Default',
    projectId: 'p-caller', projectName: 'demo', projectDomainId: 'default', projectDomainName: 'Default',
    system: false, roles: ['member', 'reader'], roleIds: ['r1', 'r2'], methods: ['password'],
    expiresAt: '2030-01-01T00:00:00Z', issuedAt: '2029-01-01T00:00:00Z', auditIds: ['a'], isAdminProject: false,
  };
  return new RequestContext({
    requestId: 'req-7c1d3c2e-0f5b-4d8e-9a3c-2b1e4f6a7c8d', globalRequestId: 'req-8d6e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b', token: 'gAAAAB-caller', auth,
  });
}

/** Entities the test serializer knows: Dates travel as `{"__date": iso}`. */
const dateSerializer: EntitySerializer<RequestContext> = {
  serializeEntity: (_ctx, e) => (e instanceof Date ? { __date: e.toISOString() } : e),
  deserializeEntity: (_ctx, e) => (e && typeof e === 'object' && '__date' in e ? new Date(String((e as { __date: unknown }).__date)) : e),
};

async function rejectsRemote(p: Promise<unknown>, excType: string): Promise<RemoteError> {
  const err = await p.then(
    () => assert.fail(`expected a RemoteError ${excType}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RemoteError, `expected RemoteError, got ${String(err)}`);
  assert.equal(err.excType, excType);
  return err;
}

const TRANSPORTS = [
  { name: 'inproc', url: `inproc://test_${RUN}`, skip: false as const, amqp: false },
  { name: 'amqp', url: AMQP_URL ?? '', skip: AMQP_URL ? (false as const) : 'NUBO_TEST_AMQP_URL not set', amqp: true },
];

for (const bus of TRANSPORTS) {
  describe(`messaging over ${bus.name}`, { skip: bus.skip, timeout: 60_000 }, () => {
    const exchange = `nubo_test_${RUN}`;
    const log = new CaptureLog();
    const transports: Transport[] = [];
    /** Queues this suite declares on the broker (deleted after the AMQP run). */
    const declared = new Set<string>();
    const servers: RpcServer<unknown>[] = [];
    const listeners: NotificationListener<unknown>[] = [];
    let serverT: Transport;
    let clientT: Transport;
    const ctx: MessageContext = {
      request_id: 'req-5a1d3c2e-0f5b-4d8e-9a3c-2b1e4f6a7c8d',
      global_request_id: 'req-0b6e2f4a-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
      user_id: 'u1',
      project_id: 'p1',
      roles: ['member', 'reader'],
      auth_token: 'gAAAAAB-secret-token',
      is_admin: false,
    };

    async function open(): Promise<Transport> {
      const t = await getTransport(bus.url, { controlExchange: exchange, log });
      transports.push(t);
      return t;
    }

    function topic(): string {
      const t = unique('topic');
      declared.add(t);
      return t;
    }

    async function serve<C>(t: Transport, top: string, server: string, endpoints: object[], opts: RpcServerOptions<C> = {}): Promise<RpcServer<C>> {
      declared.add(`${top}.${server}`);
      const s = new RpcServer<C>(t, { topic: top, server }, endpoints, opts);
      await s.start();
      servers.push(s as RpcServer<unknown>);
      return s;
    }

    async function listen<C = MessageContext>(
      targets: string[], endpoints: NotificationEndpoint<C>[], pool?: string, opts: NotificationListenerOptions<C> = {},
    ): Promise<NotificationListener<C>> {
      for (const t of targets) for (const p of NOTIFICATION_PRIORITIES) declared.add(`${t}.${p}`);
      if (pool) declared.add(pool);
      const l = new NotificationListener<C>(serverT, targets.map((t) => ({ topic: t })), endpoints, { ...opts, ...(pool ? { pool } : {}) });
      await l.start();
      listeners.push(l as NotificationListener<unknown>);
      return l;
    }

    before(async () => {
      serverT = await open();
      clientT = await open();
    });

    after(async () => {
      for (const l of listeners) await l.stop();
      for (const s of servers) await s.stop();
      for (const t of transports) await t.close();
      if (bus.amqp) await deleteFromBroker(bus.url, [...declared], [exchange]);
    });

    test('a call returns the value of the endpoint method', async () => {
      const top = topic();
      await serve(serverT, top, 'h1', [new ComputeEndpoint('h1')]);
      const client = new RpcClient(clientT, { topic: top });
      assert.equal(await client.call(ctx, 'whoami'), 'h1');
    });

    test('args and context travel as JSON copies; the result comes back', async () => {
      const top = topic();
      const endpoint = new ComputeEndpoint('h1');
      await serve(serverT, top, 'h1', [endpoint]);
      const client = new RpcClient(clientT, { topic: top });
      const args = { instance: { uuid: 'i-1', tags: ['a'], flavor: { vcpus: 2 } }, count: 3, nothing: null };
      const res = await client.call<{ ctx: MessageContext; args: typeof args; server: string }>(ctx, 'echo', args);
      assert.deepEqual(res.ctx, ctx);
      assert.deepEqual(res.args, { ...args, instance: { ...args.instance, tags: ['a', 'mutated-by-server'] } });
      assert.equal(res.server, 'h1');
      assert.deepEqual(args.instance.tags, ['a'], 'the server changed a copy, not the caller object');
      assert.notEqual(endpoint.lastArgs, args);
    });

    test('a cast runs the method, never inside the caller stack', async () => {
      const top = topic();
      const endpoint = new ComputeEndpoint('h1');
      await serve(serverT, top, 'h1', [endpoint]);
      const client = new RpcClient(clientT, { topic: top });
      const sent = client.cast(ctx, 'record', { n: 1 });
      assert.equal(endpoint.casts.length, 0);
      await sent;
      await waitFor(() => endpoint.casts.length === 1, 'the cast');
      assert.deepEqual(endpoint.casts, [{ n: 1 }]);
    });

    test('an endpoint error comes back as RemoteError with class, message, traceback and status', async () => {
      const top = topic();
      await serve(serverT, top, 'h1', [new ComputeEndpoint('h1')]);
      const client = new RpcClient(clientT, { topic: top });
      const err = await rejectsRemote(client.call(ctx, 'fail', { id: 'abc' }), 'InstanceNotFound');
      assert.equal(err.value, 'Instance abc could not be found.');
      assert.equal(err.status, 404);
      assert.equal(err.code, 404);
      assert.match(err.traceback, /InstanceNotFound|fail/);
      const nubo = await rejectsRemote(client.call(ctx, 'failNubo'), 'NotFound');
      assert.equal(nubo.status, 404);
      assert.equal(nubo.value, 'Image nope could not be found.');
    });

    test('unknown, private and inherited methods give NoSuchMethod', async () => {
      const top = topic();
      await serve(serverT, top, 'h1', [new ComputeEndpoint('h1')]);
      const client = new RpcClient(clientT, { topic: top });
      for (const method of ['nope', '_secret', 'toString', 'constructor', 'target']) {
        const err = await rejectsRemote(client.call(ctx, method), 'NoSuchMethod');
        assert.match(err.value, new RegExp(`RPC method ${method}`));
      }
    });

    test('versions: same major and minor up to the endpoint pass, others get UnsupportedVersion', async () => {
      const top = topic();
      await serve(serverT, top, 'h1', [new ComputeEndpoint('h1'), new AdminEndpoint()]);
      const client = new RpcClient(clientT, { topic: top });
      assert.equal(await client.call(ctx, 'whoami'), 'h1');
      assert.equal(await client.prepare({ version: '1.3' }).call(ctx, 'whoami'), 'h1');
      await rejectsRemote(client.prepare({ version: '1.4' }).call(ctx, 'whoami'), 'UnsupportedVersion');
      await rejectsRemote(client.prepare({ version: '2.0' }).call(ctx, 'whoami'), 'UnsupportedVersion');
      // Namespaces: the admin endpoint only answers in its namespace.
      assert.equal(await client.prepare({ namespace: 'admin', version: '2.0' }).call(ctx, 'adminOnly'), 'admin');
      await rejectsRemote(client.call(ctx, 'adminOnly'), 'NoSuchMethod');
      await rejectsRemote(client.prepare({ namespace: 'admin', version: '1.0' }).call(ctx, 'adminOnly'), 'UnsupportedVersion');
    });

    test('the version cap refuses newer versions on the client', async () => {
      const client = new RpcClient(clientT, { topic: topic(), version: '1.4' }, { versionCap: '1.3' });
      assert.equal(client.canSendVersion('1.3'), true);
      assert.equal(client.canSendVersion('1.4'), false);
      assert.equal(client.canSendVersion('2.0'), false);
      assert.equal(client.canSendVersion(), false);
      await assert.rejects(client.call(ctx, 'whoami'), RpcVersionCapError);
      await assert.rejects(client.cast(ctx, 'whoami'), RpcVersionCapError);
      assert.equal(client.prepare({ version: '1.2' }).canSendVersion(), true);
    });

    test('a call nobody listens to fails with MessagingTimeout naming topic, server and method', async () => {
      const top = topic();
      const client = new RpcClient(clientT, { topic: top }, { timeout: 0.2 });
      const err = await client.prepare({ server: 'ghost' }).call(ctx, 'whoami').then(
        () => assert.fail('expected a timeout'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MessagingTimeout);
      assert.equal(err.topic, top);
      assert.equal(err.server, 'ghost');
      assert.equal(err.method, 'whoami');
      assert.match(err.message, new RegExp(`whoami.*topic ${top}, server ghost`));
    });

    test('a call made before its server starts is answered once the server is up', async () => {
      const top = topic();
      const client = new RpcClient(clientT, { topic: top }, { timeout: 10 });
      const pending = client.call(ctx, 'whoami');
      await new Promise((r) => setTimeout(r, 100));
      await serve(serverT, top, 'late', [new ComputeEndpoint('late')]);
      assert.equal(await pending, 'late');
    });

    test('a call to one server reaches exactly that server', async () => {
      const top = topic();
      const eps = ['h1', 'h2', 'h3'].map((n) => new ComputeEndpoint(n));
      for (const ep of eps) await serve(serverT, top, ep.name, [ep]);
      const client = new RpcClient(clientT, { topic: top }).prepare({ server: 'h2' });
      for (let i = 0; i < 9; i++) assert.equal(await client.call(ctx, 'whoami'), 'h2');
      assert.deepEqual(eps.map((e) => e.handled), [0, 9, 0]);
    });

    test('topic calls run on one server each, spread round-robin', async () => {
      const top = topic();
      const eps = ['h1', 'h2'].map((n) => new ComputeEndpoint(n));
      for (const ep of eps) await serve(serverT, top, ep.name, [ep]);
      const client = new RpcClient(clientT, { topic: top });
      const seen: Record<string, number> = {};
      for (let i = 0; i < 10; i++) {
        const who = await client.call<string>(ctx, 'whoami');
        seen[who] = (seen[who] ?? 0) + 1;
      }
      assert.equal(eps[0]!.handled + eps[1]!.handled, 10, 'every call ran exactly once');
      assert.ok((seen['h1'] ?? 0) > 0 && (seen['h2'] ?? 0) > 0, `both servers served: ${JSON.stringify(seen)}`);
    });

    test('a fanout cast reaches every server of the topic once', async () => {
      const top = topic();
      const eps = ['h1', 'h2', 'h3'].map((n) => new ComputeEndpoint(n));
      for (const ep of eps) await serve(serverT, top, ep.name, [ep]);
      const other = new ComputeEndpoint('other');
      await serve(serverT, topic(), 'h1', [other]);
      const client = new RpcClient(clientT, { topic: top });
      await client.prepare({ fanout: true }).cast(ctx, 'record', { refresh: true });
      await waitFor(() => eps.every((e) => e.casts.length >= 1), 'the fanout on every server');
      // A call to each server afterwards: anything duplicated would have arrived before it.
      for (const ep of eps) await client.prepare({ server: ep.name }).call(ctx, 'whoami');
      assert.deepEqual(eps.map((e) => e.casts.length), [1, 1, 1]);
      assert.equal(other.casts.length, 0);
    });

    test('a call with fanout is refused', async () => {
      const client = new RpcClient(clientT, { topic: topic(), fanout: true });
      await assert.rejects(client.call(ctx, 'whoami'), InvalidTarget);
    });

    test('a failing cast is logged and the server keeps serving', async () => {
      const top = topic();
      await serve(serverT, top, 'h1', [new ComputeEndpoint('h1')]);
      const client = new RpcClient(clientT, { topic: top });
      await client.cast(ctx, 'castFail');
      await waitFor(() => log.entries.some((e) => e.level === 'error' && /cast of castFail/.test(e.msg ?? '')), 'the logged cast error');
      assert.equal(await client.call(ctx, 'whoami'), 'h1');
    });

    test('stop() stops consumption: calls go to the servers still running, then time out', async () => {
      const top = topic();
      const h1 = new ComputeEndpoint('h1');
      const h2 = new ComputeEndpoint('h2');
      const s1 = await serve(serverT, top, 'h1', [h1]);
      const s2 = await serve(serverT, top, 'h2', [h2]);
      await s1.stop();
      const client = new RpcClient(clientT, { topic: top });
      for (let i = 0; i < 6; i++) assert.equal(await client.call(ctx, 'whoami'), 'h2');
      assert.equal(h1.handled, 0);
      await s2.stop();
      await assert.rejects(client.prepare({ timeout: 0.2 }).call(ctx, 'whoami'), MessagingTimeout);
      assert.equal(h2.handled, 6);
    });

    test('500 concurrent calls complete', async () => {
      const top = topic();
      const eps = ['h1', 'h2'].map((n) => new ComputeEndpoint(n));
      for (const ep of eps) await serve(serverT, top, ep.name, [ep]);
      const client = new RpcClient(clientT, { topic: top }, { timeout: 30 });
      const results = await Promise.all(Array.from({ length: 500 }, (_, n) => client.call<number>(ctx, 'double', { n })));
      assert.deepEqual(results, Array.from({ length: 500 }, (_, n) => n * 2));
      assert.equal(eps[0]!.handled + eps[1]!.handled, 500);
    });

    test('notifications reach listeners with publisher, event type, priority, payload and timestamp', async () => {
      const ntopic = unique('notif');
      const got: Recorded[] = [];
      await listen([ntopic], [recorder(got)]);
      const notifier = new Notifier(clientT, { publisherId: 'compute.host1', topics: [ntopic] });
      await notifier.info(ctx, 'compute.instance.create.end', { instance_id: 'i-1', state: 'active' });
      await notifier.prepare({ publisherId: 'compute.host2' }).error(ctx, 'compute.instance.create.error', { code: 500 });
      await notifier.sample(ctx, 'metrics.update', { cpu: 0.5 });
      await waitFor(() => got.length === 3, 'three notifications');
      const byType = new Map(got.map((g) => [g.eventType, g]));
      const info = byType.get('compute.instance.create.end');
      assert.ok(info);
      assert.equal(info.priority, 'info');
      assert.equal(info.publisherId, 'compute.host1');
      assert.deepEqual(info.payload, { instance_id: 'i-1', state: 'active' });
      assert.match(info.metadata.message_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(info.metadata.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      assert.ok(Math.abs(Date.parse(`${info.metadata.timestamp.replace(' ', 'T').slice(0, 23)}Z`) - Date.now()) < 60_000);
      assert.equal(info.ctx['request_id'], ctx['request_id']);
      assert.deepEqual(info.ctx['roles'], ['member', 'reader']);
      assert.equal(info.ctx['auth_token'], null, 'secrets are not sent with notifications');
      const error = byType.get('compute.instance.create.error');
      assert.equal(error?.priority, 'error');
      assert.equal(error?.publisherId, 'compute.host2');
      assert.equal(byType.get('metrics.update')?.priority, 'sample');
    });

    test('a notification has oslo message fields on the wire', async () => {
      const ntopic = unique('notif');
      declared.add(`${ntopic}.warn`);
      const raw: Record<string, unknown>[] = [];
      const handle = await serverT.driver.listenForNotifications([{ topic: ntopic, priority: 'warn' }], undefined, (inc) => {
        raw.push({ ...inc.message, ctxt: inc.ctxt });
        inc.acknowledge();
      }, 10);
      try {
        await new Notifier(clientT, { publisherId: 'image.api', topics: [ntopic] }).warn(ctx, 'image.delete', { id: 'img' });
        await waitFor(() => raw.length === 1, 'the raw notification');
      } finally {
        await handle.stop();
      }
      const m = raw[0]!;
      assert.deepEqual(Object.keys(m).sort(), ['ctxt', 'event_type', 'message_id', 'payload', 'priority', 'publisher_id', 'timestamp']);
      assert.equal(m['priority'], 'WARN');
      assert.equal(m['publisher_id'], 'image.api');
      assert.equal(m['event_type'], 'image.delete');
      assert.deepEqual(m['payload'], { id: 'img' });
    });

    test('two pools each get every notification; listeners of one pool share them', async () => {
      const ntopic = unique('notif');
      const poolA = unique('poolA');
      const poolB = unique('poolB');
      const a1: Recorded[] = [];
      const a2: Recorded[] = [];
      const b: Recorded[] = [];
      await listen([ntopic], [recorder(a1)], poolA);
      await listen([ntopic], [recorder(a2)], poolA);
      await listen([ntopic], [recorder(b)], poolB);
      const notifier = new Notifier(clientT, { publisherId: 'compute.h1', topics: [ntopic] });
      for (let i = 0; i < 10; i++) await notifier.info(ctx, 'compute.instance.update', { i });
      await waitFor(() => b.length === 10 && a1.length + a2.length === 10, 'both pools');
      assert.ok(a1.length > 0 && a2.length > 0, `pool A shared the work: ${a1.length}/${a2.length}`);
      assert.deepEqual(b.map((r) => (r.payload as { i: number }).i).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    test('filter rules screen what an endpoint receives', async () => {
      const ntopic = unique('notif');
      const computeOnly: Recorded[] = [];
      const networkOnly: Recorded[] = [];
      const activeOnly: Recorded[] = [];
      const all: Recorded[] = [];
      await listen(
        [ntopic],
        [
          recorder(computeOnly, { eventType: 'compute\\.instance\\.' }),
          recorder(networkOnly, { publisherId: /^network\./ }),
          recorder(activeOnly, { payload: { state: '^active$' } }),
          recorder(all),
        ],
      );
      const notifier = new Notifier(clientT, { publisherId: 'compute.h1', topics: [ntopic] });
      await notifier.info(ctx, 'compute.instance.create.end', { state: 'active' });
      await notifier.info(ctx, 'image.upload', { state: 'saving' });
      await notifier.prepare({ publisherId: 'network.h1' }).info(ctx, 'port.create.end', { state: 5 });
      await waitFor(() => all.length === 3, 'three notifications');
      assert.deepEqual(computeOnly.map((r) => r.eventType), ['compute.instance.create.end']);
      assert.deepEqual(networkOnly.map((r) => r.eventType), ['port.create.end']);
      assert.deepEqual(activeOnly.map((r) => r.eventType), ['compute.instance.create.end']);
    });

    test('a stopped listener receives nothing more', async () => {
      const ntopic = unique('notif');
      const pool = unique('pool');
      const stopped: Recorded[] = [];
      const running: Recorded[] = [];
      const l1 = await listen([ntopic], [recorder(stopped)], pool);
      await listen([ntopic], [recorder(running)], pool);
      await l1.stop();
      const notifier = new Notifier(clientT, { publisherId: 'compute.h1', topics: [ntopic] });
      for (let i = 0; i < 4; i++) await notifier.info(ctx, 'compute.instance.update', { i });
      await waitFor(() => running.length === 4, 'the running listener');
      assert.equal(stopped.length, 0);
    });

    test('a failing notification endpoint is logged and the listener goes on', async () => {
      const ntopic = unique('notif');
      const got: Recorded[] = [];
      let calls = 0;
      await listen([ntopic], [
        {
          info: () => {
            calls++;
            throw new Error('endpoint broke');
          },
        },
        recorder(got),
      ]);
      const notifier = new Notifier(clientT, { publisherId: 'compute.h1', topics: [ntopic] });
      await notifier.info(ctx, 'first', {});
      await waitFor(() => log.entries.some((e) => /notification endpoint failed on first/.test(e.msg ?? '')), 'the logged failure');
      await notifier.info(ctx, 'second', {});
      await waitFor(() => calls === 2, 'the second notification');
      // The failing endpoint stops that notification's dispatch (oslo requeue semantics): no redelivery.
      assert.deepEqual(got.map((r) => r.eventType), []);
    });

    test('with the RequestContextSerializer, call and cast rebuild the caller\'s RequestContext on the server', async () => {
      const top = topic();
      const serializer = new RequestContextSerializer();
      const seen: RequestContext[] = [];
      await serve(serverT, top, 'h1', [{
        who(c: RequestContext) {
          seen.push(c);
          return { user: c.userId, project: c.projectId, roles: c.roles, creds: c.toPolicyCredentials(), inScope: currentScope()?.context === c };
        },
        note(c: RequestContext) {
          seen.push(c);
        },
      }], { serializer });
      const client = new RpcClient(clientT, { topic: top }, { serializer });
      const caller = callerContext();
      const res = await client.call<{ user: string; project: string; roles: string[]; creds: unknown; inScope: boolean }>(caller, 'who');
      assert.deepEqual(res, { user: 'u-caller', project: 'p-caller', roles: ['member', 'reader'], creds: caller.toPolicyCredentials(), inScope: true });
      await client.cast(caller, 'note');
      await waitFor(() => seen.length === 2, 'the cast');
      for (const c of seen) {
        assert.ok(c instanceof RequestContext);
        assert.equal(c.requestId, caller.requestId);
        assert.equal(c.globalRequestId, caller.globalRequestId);
        assert.equal(c.token, 'gAAAAB-caller');
        assert.equal(c.identity?.userName, 'carol');
        assert.equal(c.isAdmin, false);
      }
    });

    test('the serializer converts arguments and results on both sides', async () => {
      const top = topic();
      const serializer = new RequestContextSerializer(dateSerializer);
      let received: unknown;
      await serve(serverT, top, 'h1', [{
        later(_c: RequestContext, args: Record<string, unknown>) {
          received = args['when'];
          return new Date((args['when'] as Date).getTime() + 1000);
        },
      }], { serializer });
      const client = new RpcClient(clientT, { topic: top }, { serializer });
      const when = new Date('2030-05-06T07:08:09.000Z');
      const result = await client.call<Date>(callerContext(), 'later', { when });
      assert.ok(received instanceof Date && received.getTime() === when.getTime(), 'the endpoint got a Date');
      assert.ok(result instanceof Date, 'the caller got a Date');
      assert.equal(result.toISOString(), '2030-05-06T07:08:10.000Z');
    });

    test('log lines written while serving carry the caller\'s request ids (default serializer too)', async () => {
      const lines: Array<Record<string, unknown>> = [];
      const logger = capturingLogger(lines);
      const top = topic();
      await serve(serverT, top, 'h1', [{
        async work() {
          await new Promise((r) => setImmediate(r));
          logger.info('working on it');
          return currentScope()?.context instanceof RequestContext;
        },
        boom() {
          throw new Error('kaboom');
        },
      }], { log: logger });
      const client = new RpcClient(clientT, { topic: top });
      assert.equal(await client.call(ctx, 'work'), true, 'scope.context is a RequestContext with the default serializer');
      await assert.rejects(client.call(ctx, 'boom'), RemoteError);
      await waitFor(() => lines.some((l) => l['msg'] === 'working on it') && lines.some((l) => /handling of boom/.test(String(l['msg']))), 'the log lines');
      for (const line of lines.filter((l) => l['msg'] === 'working on it' || /handling of boom/.test(String(l['msg'])))) {
        assert.equal(line['req_id'], ctx['request_id']);
        assert.equal(line['global_req_id'], ctx['global_request_id']);
      }
    });

    test('a notification sent while serving, without a context, carries the caller\'s (token removed)', async () => {
      const ntopic = unique('notif');
      const dicts: Recorded[] = [];
      const contexts: RequestContext[] = [];
      await listen([ntopic], [recorder(dicts)]);
      await listen<RequestContext>([ntopic], [{ info: (c) => { contexts.push(c); } }], unique('pool'), { serializer: new RequestContextSerializer() });
      const notifier = new Notifier(serverT, { publisherId: 'compute.h1', topics: [ntopic] });
      const top = topic();
      await serve(serverT, top, 'h1', [{
        async act() {
          await notifier.info(undefined, 'compute.instance.update', { id: 'i-1' });
        },
      }], { serializer: new RequestContextSerializer() });
      const caller = callerContext();
      await new RpcClient(clientT, { topic: top }, { serializer: new RequestContextSerializer() }).call(caller, 'act');
      await notifier.info(null, 'outside.any.request', {});
      await waitFor(() => dicts.length === 2 && contexts.length === 2, 'both notifications on both listeners');
      const sent = dicts.find((d) => d.eventType === 'compute.instance.update')!.ctx;
      assert.equal(sent['request_id'], caller.requestId);
      assert.equal(sent['global_request_id'], caller.globalRequestId);
      assert.equal(sent['user_id'], 'u-caller');
      assert.equal(sent['project_id'], 'p-caller');
      assert.deepEqual(sent['roles'], ['member', 'reader']);
      assert.equal(sent['auth_token'], null);
      assert.deepEqual(dicts.find((d) => d.eventType === 'outside.any.request')!.ctx, {}, 'no request: an empty context');
      const rebuilt = contexts.find((c) => c.userId === 'u-caller');
      assert.ok(rebuilt instanceof RequestContext, 'a listener with the RequestContextSerializer gets a RequestContext');
      assert.equal(rebuilt.requestId, caller.requestId);
      assert.equal(rebuilt.token, undefined);
    });

    if (!bus.amqp) {
      test('separate in-process buses do not see each other', async () => {
        const top = topic();
        await serve(serverT, top, 'h1', [new ComputeEndpoint('h1')]);
        const other = await getTransport(`inproc://other_${RUN}`, { controlExchange: exchange, log });
        try {
          await assert.rejects(new RpcClient(other, { topic: top }, { timeout: 0.2 }).call(ctx, 'whoami'), MessagingTimeout);
        } finally {
          await other.close();
        }
      });
    }

    if (bus.amqp) {
      test('declares the queues and exchanges of oslo rabbit driver', async () => {
        const top = topic();
        await serve(serverT, top, 'h1', [new ComputeEndpoint('h1')]);
        await withChannel(bus.url, async (ch) => {
          await ch.checkExchange(exchange);
          await ch.checkExchange(`${top}_fanout`);
          assert.equal((await ch.checkQueue(top)).consumerCount, 1);
          assert.equal((await ch.checkQueue(`${top}.h1`)).consumerCount, 1);
        });
      });

      test('the wire body is the oslo envelope with the context packed in', async () => {
        const ntopic = unique('notif');
        declared.add(`${ntopic}.info`);
        await new Notifier(clientT, { publisherId: 'compute.h1', topics: [ntopic] }).info(ctx, 'compute.x', { a: 1 });
        await withChannel(bus.url, async (ch) => {
          // The publisher created the durable default queue, so the notification waits there.
          const msg = await ch.get(`${ntopic}.info`, { noAck: true });
          assert.ok(msg, 'the notification is in the queue');
          assert.equal(msg.properties.contentType, 'application/json');
          const outer = JSON.parse(msg.content.toString()) as Record<string, unknown>;
          assert.deepEqual(Object.keys(outer).sort(), ['oslo.message', 'oslo.version']);
          assert.equal(outer['oslo.version'], '2.0');
          const inner = JSON.parse(outer['oslo.message'] as string) as Record<string, unknown>;
          assert.equal(inner['priority'], 'INFO');
          assert.equal(inner['_context_request_id'], ctx['request_id']);
          assert.equal(inner['_context_auth_token'], null);
          assert.match(String(inner['_unique_id']), /^[0-9a-f]{32}$/);
        });
      });

      test('recovers from a lost connection: redeclares queues and consumers', async () => {
        const top = topic();
        const sT = await open();
        const cT = await open();
        const ep = new ComputeEndpoint('h1');
        await serve(sT, top, 'h1', [ep]);
        const client = new RpcClient(cT, { topic: top }, { timeout: 20 });
        assert.equal(await client.call(ctx, 'whoami'), 'h1');
        const reconnected = log.entries.filter((e) => /reconnected to message broker/.test(e.msg ?? '')).length;
        dropConnection(sT);
        dropConnection(cT);
        await waitFor(
          () => log.entries.filter((e) => /reconnected to message broker/.test(e.msg ?? '')).length >= reconnected + 2,
          'both transports to reconnect',
          20_000,
        );
        assert.equal(await client.call(ctx, 'whoami'), 'h1');
        await client.prepare({ fanout: true }).cast(ctx, 'record', { after: 'reconnect' });
        await waitFor(() => ep.casts.length === 1, 'the fanout cast after reconnecting');
      });
    }
  });
}

/** Cut the transport's TCP connection under amqplib, as a broker restart or network loss would. */
function dropConnection(t: Transport): void {
  const model = (t.driver.broker as AmqpBroker).currentModel();
  assert.ok(model, 'connected');
  (model.connection as unknown as { stream: { destroy(err: Error): void } }).stream.destroy(new Error('connection cut by the test'));
}

async function withChannel(url: string, fn: (ch: Channel) => Promise<void>): Promise<void> {
  const conn: ChannelModel = await connect(url);
  try {
    await fn(await conn.createChannel());
  } finally {
    await conn.close();
  }
}

async function deleteFromBroker(url: string, queues: string[], exchanges: string[]): Promise<void> {
  const conn = await connect(url);
  try {
    let ch = await conn.createChannel();
    for (const q of queues) {
      try {
        await ch.deleteQueue(q);
      } catch {
        ch = await conn.createChannel();
      }
    }
    for (const x of exchanges) await ch.deleteExchange(x).catch(() => {});
  } finally {
    await conn.close().catch(() => {});
  }
}

describe('transport errors', () => {
  test('a broker that is down gives TransportUnavailableError on one line, password masked', async () => {
    const port = await closedPort();
    const err = await getTransport(`rabbit://guest:s3cret@127.0.0.1:${port}/`).then(
      () => assert.fail('expected a TransportUnavailableError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TransportUnavailableError);
    assert.ok(err instanceof OperatorError);
    assert.equal(
      err.message,
      `cannot connect to message broker rabbit://guest:***@127.0.0.1:${port}/: connection refused (is RabbitMQ running?)`,
    );
    assert.doesNotMatch(err.message, /s3cret|\n/);
  });

  test('a pino logger from src/common/log serves as the bus logger', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const t = await getTransport(`inproc://pino_${RUN}`, { log: createLogger({ destination }) });
    try {
      await new RpcServer(t, { topic: 'p', server: 'h' }, [{ boom: () => { throw new Error('kaboom'); } }]).start();
      await new RpcClient(t, { topic: 'p' }).cast({ request_id: 'req-1' }, 'boom');
      await waitFor(() => lines.some((l) => l.includes('kaboom')), 'the logged cast error');
    } finally {
      await t.close();
    }
  });

  test('an unusable transport URL gives InvalidTransportUrl', async () => {
    await assert.rejects(getTransport('http://example.com/'), InvalidTransportUrl);
    await assert.rejects(getTransport('not a url'), InvalidTransportUrl);
  });
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
