/**
 * Test support for placement: the API role mounted by the common harness, requests that speak
 * a microversion (default `latest`) as an admin unless told otherwise, and builders for the
 * provider trees the tests need (the shapes of upstream's gabbi fixtures), made through the API.
 */
import { randomUUID } from 'node:crypto';
import { startHarness, type Harness, type InjectResult } from '../../../common/testing/harness.js';
import { placement } from '../index.js';

/** A project-scoped admin, as Nova's service user in a DevStack of Zed. */
export const ADMIN = 'admin-project:admin,member,reader';

export interface CallOptions {
  version?: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export interface PlacementTest {
  h: Harness;
  call(method: string, path: string, opts?: CallOptions): Promise<InjectResult>;
  /** A provider (under `parent`), with inventories, traits and aggregates; returns its uuid. */
  provider(name: string, spec?: ProviderSpec): Promise<string>;
  /** Allocations of a new consumer (1.28 body); returns the consumer uuid. */
  allocate(allocations: Record<string, Record<string, number>>, opts?: { consumer?: string; project?: string; user?: string }): Promise<string>;
  close(): Promise<void>;
}

export interface ProviderSpec {
  uuid?: string;
  parent?: string;
  inventories?: Record<string, Record<string, number>>;
  traits?: string[];
  aggregates?: string[];
}

export async function startPlacement(opts: { overrides?: Record<string, string>; serverUrl?: string } = {}): Promise<PlacementTest> {
  // PLACEMENT_TEST_DB_URL runs every API test file on that server instead of SQLite.
  const serverUrl = opts.serverUrl ?? process.env.PLACEMENT_TEST_DB_URL;
  const h = await startHarness({ project: placement, ...(opts.overrides ? { overrides: opts.overrides } : {}), ...(serverUrl ? { serverUrl } : {}) });
  const call = (method: string, path: string, o: CallOptions = {}): Promise<InjectResult> =>
    h.request(method, path, o.token ?? ADMIN, o.body, { 'openstack-api-version': `placement ${o.version ?? 'latest'}`, accept: 'application/json', ...o.headers });
  const must = async (method: string, path: string, o: CallOptions, status: number): Promise<InjectResult> => {
    const res = await call(method, path, o);
    if (res.status !== status) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
    return res;
  };
  return {
    h,
    call,
    async provider(name, spec = {}) {
      const uuid = spec.uuid ?? randomUUID();
      let gen = (await must('POST', '/resource_providers', { body: { name, uuid, ...(spec.parent ? { parent_provider_uuid: spec.parent } : {}) } }, 200)).body.generation as number;
      const base = `/resource_providers/${uuid}`;
      if (spec.inventories) {
        // As upstream's fixtures (test_base.add_inventory): custom classes created, max_unit = total unless given.
        for (const rc of Object.keys(spec.inventories).filter((x) => x.startsWith('CUSTOM_'))) await call('PUT', `/resource_classes/${rc}`);
        const inventories = Object.fromEntries(Object.entries(spec.inventories).map(([rc, inv]) => [rc, { max_unit: inv['total'], ...inv }]));
        gen = (await must('PUT', `${base}/inventories`, { body: { resource_provider_generation: gen, inventories } }, 200)).body.resource_provider_generation;
      }
      if (spec.traits) {
        for (const t of spec.traits.filter((x) => x.startsWith('CUSTOM_'))) await call('PUT', `/traits/${t}`);
        gen = (await must('PUT', `${base}/traits`, { body: { resource_provider_generation: gen, traits: spec.traits } }, 200)).body.resource_provider_generation;
      }
      if (spec.aggregates) await must('PUT', `${base}/aggregates`, { body: { resource_provider_generation: gen, aggregates: spec.aggregates } }, 200);
      return uuid;
    },
    async allocate(allocations, o = {}) {
      const consumer = o.consumer ?? randomUUID();
      const body = {
        allocations: Object.fromEntries(Object.entries(allocations).map(([rp, resources]) => [rp, { resources }])),
        project_id: o.project ?? 'project-a', user_id: o.user ?? 'user-a', consumer_generation: null,
      };
      await must('PUT', `/allocations/${consumer}`, { body, version: '1.28' }, 204);
      return consumer;
    },
    close: () => h.close(),
  };
}
