/**
 * One storage node of a test cluster as a process of its own (the object, container and
 * account servers on the ports given, over one devices root), so a test can kill it with
 * SIGKILL as a node dies. Started by testing/cluster.ts as
 *   node --import tsx storage-node.ts '{"devicesRoot":..,"swiftDir":..,"hash":{..},"ports":{..}}'
 * it prints one line of JSON with the ports it listens on. For tests only.
 */
import { AccountServer } from '../account/server.js';
import { ContainerServer } from '../container/server.js';
import { ObjectServer } from '../obj/server.js';
import { Rings, type RingKind } from '../ring/all-in-one.js';
import type { HashConf } from '../ring/hash.js';
import { listenStorage } from '../utils/storage-listener.js';
import { StoragePolicies } from '../utils/storage-policy.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as { devicesRoot: string; swiftDir: string; hash: HashConf; ports: Record<RingKind, number>; timeouts: { connMs: number; nodeMs: number }; policies?: string[] };
const log = { info: () => undefined, warn: () => undefined, error: (o: unknown, m?: string) => { if (process.env.NUBO_TEST_LOG) console.error(m, o); } };
const base = { devices: spec.devicesRoot, hash: spec.hash, timeouts: spec.timeouts, log };
const rings = new Rings(spec.swiftDir, spec.hash, 0);
const object = new ObjectServer({ ...base, maxFileSize: 1 << 30, policies: new StoragePolicies(spec.policies ?? []) });
const container = new ContainerServer({ ...base, listingLimit: 10000 }, () => rings.get('account'), 50);
const account = new AccountServer({ ...base, listingLimit: 10000 });
const o = await listenStorage('127.0.0.1', spec.ports.object, (q, s, c) => object.handle(q, s, c));
const c = await listenStorage('127.0.0.1', spec.ports.container, (q, s) => container.handle(q, s));
const a = await listenStorage('127.0.0.1', spec.ports.account, (q, s) => account.handle(q, s));
process.stdout.write(`${JSON.stringify({ object: o.port, container: c.port, account: a.port })}\n`);
process.on('SIGTERM', () => process.exit(0));
