/**
 * Type drivers allocate segmentation ids from their ranges without collisions, refuse ids in
 * use, and run out cleanly.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { migrate, openDatabase, parseDatabaseUrl, type Database } from '../../../common/db/index.js';
import { migrations } from '../db/migrations/index.js';
import type { NeutronDB } from '../db/schema.js';
import { FlatNetworkInUse, InvalidInput, NoNetworkAvailable, TunnelIdInUse, VlanIdInUse } from '../errors.js';
import { parseIdRanges } from './segment-pool.js';
import { FlatTypeDriver, LocalTypeDriver, parseVlanRanges, TunnelTypeDriver, VlanTypeDriver } from './type-drivers.js';
import { TypeManager } from './type-manager.js';

let database: Database<NeutronDB>;

before(async () => {
  database = await openDatabase<NeutronDB>(parseDatabaseUrl('sqlite::memory:', { service: 'neutron', dataDir: '/tmp' }));
  await migrate(database, migrations, { table: 'neutron_migrations' });
});
after(() => database.close());

async function network(): Promise<string> {
  const id = randomUUID();
  const t = new Date().toISOString();
  await database.db.insertInto('networks').values({
    id, project_id: 'p', name: '', status: 'ACTIVE', admin_state_up: 1, mtu: 1500, port_security_enabled: 1, router_external: 0, is_default: 0,
    availability_zone_hints: '[]', dns_domain: '', description: '', revision_number: 0, created_at: t, updated_at: t,
  }).execute();
  return id;
}

describe('type drivers', () => {
  test('parses ranges', () => {
    assert.deepEqual(parseVlanRanges(['physnet1:10:12', 'physnet2']), new Map([['physnet1', [{ min: 10, max: 12 }]], ['physnet2', []]]));
    assert.throws(() => parseVlanRanges(['physnet1:0:5000']));
    assert.deepEqual(parseIdRanges(['5:3'], { min: 1, max: 100 }, 'VNI'), [{ min: 3, max: 5 }]);
  });

  test('VLAN project segments come from the ranges, never twice, until exhausted', async () => {
    const vlan = new VlanTypeDriver(parseVlanRanges(['physA:100:104']), 1500);
    const types = new TypeManager([vlan], ['vlan'], 1500);
    const seen = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const segs = await types.createNetworkSegments(database.db, await network(), undefined);
      assert.equal(segs[0]!.physical_network, 'physA');
      const id = segs[0]!.segmentation_id!;
      assert.ok(id >= 100 && id <= 104);
      assert.ok(!seen.has(id));
      seen.add(id);
    }
    await assert.rejects(types.createNetworkSegments(database.db, await network(), undefined), NoNetworkAvailable);
  });

  test('explicit VLAN ids are reserved once; provider validation', async () => {
    const vlan = new VlanTypeDriver(parseVlanRanges(['physB:200:210', 'physC']), 1500);
    const types = new TypeManager([vlan], ['vlan'], 1500);
    const req = types.processProviderCreate({ 'provider:network_type': 'vlan', 'provider:physical_network': 'physC', 'provider:segmentation_id': 3000 })!;
    await types.createNetworkSegments(database.db, await network(), req);
    await assert.rejects(types.createNetworkSegments(database.db, await network(), req), VlanIdInUse);
    assert.throws(() => types.processProviderCreate({ 'provider:network_type': 'vlan', 'provider:physical_network': 'nope', 'provider:segmentation_id': 5 }), InvalidInput);
    assert.throws(() => types.processProviderCreate({ 'provider:network_type': 'vlan', 'provider:physical_network': 'physB', 'provider:segmentation_id': 5000 }), InvalidInput);
    assert.throws(() => types.processProviderCreate({ 'provider:network_type': 'gre' }), /network_type value 'gre' not supported/);
  });

  test('released ids are allocated again', async () => {
    const vxlan = TunnelTypeDriver.vxlan([{ min: 7, max: 7 }], 1500, 4);
    const types = new TypeManager([vxlan], ['vxlan'], 1500);
    const net = await network();
    const segs = await types.createNetworkSegments(database.db, net, undefined);
    assert.equal(segs[0]!.segmentation_id, 7);
    await assert.rejects(types.createNetworkSegments(database.db, await network(), undefined), NoNetworkAvailable);
    await types.releaseNetworkSegments(database.db, net);
    const again = await types.createNetworkSegments(database.db, await network(), undefined);
    assert.equal(again[0]!.segmentation_id, 7);
  });

  test('VXLAN explicit VNIs, MTU with overhead', async () => {
    const vxlan = TunnelTypeDriver.vxlan([{ min: 1, max: 10 }], 1500, 4);
    const types = new TypeManager([vxlan, new LocalTypeDriver(1500)], ['vxlan'], 1500);
    const req = types.processProviderCreate({ 'provider:network_type': 'vxlan', 'provider:segmentation_id': 5000 })!;
    const segs = await types.createNetworkSegments(database.db, await network(), req);
    await assert.rejects(types.createNetworkSegments(database.db, await network(), req), TunnelIdInUse);
    assert.equal(types.networkMtu(segs), 1450);
    assert.throws(() => types.processProviderCreate({ 'provider:network_type': 'vxlan', 'provider:physical_network': 'x' }), /provider:physical_network specified for vxlan network/);
    assert.equal(TunnelTypeDriver.geneve([], 1500, 30, 4).getMtu(), 1450);
  });

  test('flat networks take their physical network once', async () => {
    const flat = new FlatTypeDriver(['*'], 1500);
    const types = new TypeManager([flat], [], 1500);
    const req = types.processProviderCreate({ 'provider:network_type': 'flat', 'provider:physical_network': 'public' })!;
    await types.createNetworkSegments(database.db, await network(), req);
    await assert.rejects(types.createNetworkSegments(database.db, await network(), req), FlatNetworkInUse);
    assert.throws(() => types.processProviderCreate({ 'provider:network_type': 'flat' }), /physical_network required/);
    const limited = new TypeManager([new FlatTypeDriver(['only'], 1500)], [], 1500);
    assert.throws(() => limited.processProviderCreate({ 'provider:network_type': 'flat', 'provider:physical_network': 'other' }), /unknown for flat provider network/);
  });

  test('multi-provider segments are listed as segments', async () => {
    const types = new TypeManager([new VlanTypeDriver(parseVlanRanges(['physD:1:100']), 1500), TunnelTypeDriver.vxlan([{ min: 100, max: 200 }], 1500, 4)], ['vxlan'], 1500);
    const req = types.processProviderCreate({ segments: [
      { 'provider:network_type': 'vlan', 'provider:physical_network': 'physD', 'provider:segmentation_id': 9 },
      { 'provider:network_type': 'vxlan', 'provider:segmentation_id': 150 },
    ] })!;
    const net = await network();
    await types.createNetworkSegments(database.db, net, req);
    const view = TypeManager.providerView((await types.segmentsOf(database.db, [net])).get(net)!);
    assert.ok('segments' in view);
    assert.equal(view.segments.length, 2);
    assert.throws(() => types.processProviderCreate({ 'provider:network_type': 'vlan', segments: [{}] }), /Segments and provider values cannot both be set/);
  });
});
