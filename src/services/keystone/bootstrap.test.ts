import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BootstrapOptions } from '../../common/service/bootstrap.js';
import { bootstrapIdentity } from './bootstrap.js';
import { ResourceProviders } from './resource-providers.js';
import { resourceFixture, type ResourceFixture } from './testing/resource-fixture.js';

const opts = (over: Partial<BootstrapOptions> = {}): BootstrapOptions => ({
  adminUsername: 'admin', adminPassword: 'secret', adminProjectName: 'admin', region: 'RegionOne',
  catalog: [{ serviceType: 'image', serviceName: 'glance', description: 'Image', url: 'http://127.0.0.1:8880/image' }],
  serviceUsers: [{ name: 'glance', password: 'gpw' }],
  ...over,
});

describe('bootstrapIdentity', () => {
  let f: ResourceFixture;
  before(async () => { f = await resourceFixture(); });
  after(() => f.close());

  test('creates the cloud and is idempotent', async () => {
    await bootstrapIdentity(f.m, opts());
    await bootstrapIdentity(f.m, opts());
    const p = new ResourceProviders(f.m);
    const admin = (await p.findUserByName('admin', 'default'))!;
    await p.checkPassword(admin.id, 'secret');
    const project = (await p.findProjectByName('admin', 'default'))!;
    assert.deepEqual((await p.rolesOnProject(admin.id, project.id)).map((r) => r.name).sort(), ['admin', 'manager', 'member', 'reader']);
    assert.deepEqual((await p.rolesOnSystem(admin.id)).map((r) => r.name).sort(), ['admin', 'manager', 'member', 'reader']);
    const glance = (await p.findUserByName('glance', 'default'))!;
    const service = (await p.findProjectByName('service', 'default'))!;
    assert.deepEqual((await p.rolesOnProject(glance.id, service.id)).map((r) => r.name).sort(), ['admin', 'manager', 'member', 'reader', 'service']);
    const catalog = await p.catalog();
    assert.equal(catalog.length, 1);
    assert.deepEqual(catalog[0]!.endpoints.map((e) => e.interface).sort(), ['admin', 'internal', 'public']);
    assert.equal((await f.m.identity.listUsers()).length, 2);
  });

  test('updates changed URLs and passwords', async () => {
    await bootstrapIdentity(f.m, opts({
      adminPassword: 'changed',
      catalog: [{ serviceType: 'image', serviceName: 'glance', description: 'Image', url: 'http://10.0.0.1/image' }],
    }));
    const p = new ResourceProviders(f.m);
    const admin = (await p.findUserByName('admin', 'default'))!;
    await p.checkPassword(admin.id, 'changed');
    const catalog = await p.catalog();
    assert.ok(catalog[0]!.endpoints.every((e) => e.url === 'http://10.0.0.1/image' && e.region_id === 'RegionOne'));
    assert.equal((await f.m.catalog.listEndpoints()).length, 3);
  });

  test('generated passwords are hashed at the least bcrypt cost, chosen ones at the configured cost', async () => {
    const g = await resourceFixture({ identity: { password_hash_rounds: 6 } });
    try {
      await bootstrapIdentity(g.m, opts({ adminPassword: 'chosen-by-me', serviceUsers: [{ name: 'glance', password: 'AbCdEfGhIjKlMnOpQrStUvWx', generated: true }] }));
      const costOf = async (name: string): Promise<string> => {
        const user = (await g.m.identity.findUserByName(name, 'default'))!;
        const row = await g.database.db.selectFrom('password').select('password_hash').where('user_id', '=', user.id).executeTakeFirstOrThrow();
        return String(row.password_hash).slice(0, 7);
      };
      assert.equal(await costOf('admin'), '$2b$06$');
      assert.equal(await costOf('glance'), '$2b$04$');
      const p = new ResourceProviders(g.m);
      await p.checkPassword((await p.findUserByName('glance', 'default'))!.id, 'AbCdEfGhIjKlMnOpQrStUvWx');
    } finally {
      await g.close();
    }
  });
});
