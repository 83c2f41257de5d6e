// os-volume_attachments against a stand-in for Cinder that lives ONLY in this test: a small
// Fastify app on 127.0.0.1 that keeps a few volumes and attachments in memory, answers the
// v3 attachments API (3.44), creates volumes (from an image, a snapshot or blank: `creating`
// for a moment, then available, or error when 13 GiB are asked), shows snapshots, and records every call, registered in the test cloud's catalog as
// block-storage. It checks what Nova sends (reserve without connector, the host's connector,
// os-complete, begin_detaching, delete); it is no Cinder and proves nothing about a real one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { BootCloud } from './testing/boot-cloud.js';

interface StubVolume { id: string; status: string; size: number; multiattach: boolean; attachments: string[]; name?: string; imageRef?: string; snapshot_id?: string }
interface StubAttachment { id: string; volume_id: string; instance: string; status: string; connector: unknown }
interface Call { method: string; path: string; version: string | undefined; body: any }

/** The stand-in Cinder: volumes and attachments in memory, every call recorded. */
async function stubCinder(): Promise<{ app: FastifyInstance; url: string; calls: Call[]; volumes: Map<string, StubVolume>; attachments: Map<string, StubAttachment>; snapshots: Map<string, { id: string; size: number }> }> {
  const app = Fastify();
  const snapshots = new Map<string, { id: string; size: number }>();
  const calls: Call[] = [];
  const volumes = new Map<string, StubVolume>();
  const attachments = new Map<string, StubAttachment>();
  app.addHook('onRequest', async (req) => {
    calls.push({ method: req.method, path: req.url, version: req.headers['openstack-api-version'] as string | undefined, body: undefined });
  });
  app.addHook('preHandler', async (req) => { calls.at(-1)!.body = req.body; });
  const notFound = (what: string) => ({ itemNotFound: { code: 404, message: `${what} could not be found.` } });
  const volumeView = (v: StubVolume) => ({
    id: v.id, name: null, status: v.status, size: v.size, volume_type: 'lvm', bootable: 'true', multiattach: v.multiattach, availability_zone: 'nova',
    encrypted: false, attachments: v.attachments.map((a) => ({ id: v.id, attachment_id: a, server_id: attachments.get(a)!.instance, volume_id: v.id })),
  });
  app.get<{ Params: { id: string } }>('/v3/volumes/:id', async (req, reply) => {
    const v = volumes.get(req.params.id);
    return v ? { volume: volumeView(v) } : reply.code(404).send(notFound(`Volume ${req.params.id}`));
  });
  app.post<{ Body: { volume: { size: number; name?: string; imageRef?: string; snapshot_id?: string } } }>('/v3/volumes', async (req, reply) => {
    const { size, name, imageRef, snapshot_id: snapshotId } = req.body.volume;
    if (snapshotId && !snapshots.has(snapshotId)) return reply.code(404).send(notFound(`Snapshot ${snapshotId}`));
    const v: StubVolume = { id: randomUUID(), status: 'creating', size, multiattach: false, attachments: [], ...(name ? { name } : {}), ...(imageRef ? { imageRef } : {}), ...(snapshotId ? { snapshot_id: snapshotId } : {}) };
    volumes.set(v.id, v);
    setTimeout(() => { v.status = size === 13 ? 'error' : 'available'; }, 120);
    return reply.code(202).send({ volume: volumeView(v) });
  });
  app.get<{ Params: { id: string } }>('/v3/snapshots/:id', async (req, reply) => {
    const snap = snapshots.get(req.params.id);
    return snap ? { snapshot: { ...snap, status: 'available', volume_id: randomUUID() } } : reply.code(404).send(notFound(`Snapshot ${req.params.id}`));
  });
  app.post<{ Body: { attachment: { volume_uuid: string; instance_uuid: string; connector?: unknown } } }>('/v3/attachments', async (req, reply) => {
    const { volume_uuid: vid, instance_uuid: iid, connector } = req.body.attachment;
    const v = volumes.get(vid);
    if (!v) return reply.code(404).send(notFound(`Volume ${vid}`));
    if (v.status !== 'available' && !(v.multiattach && v.status === 'in-use')) {
      return reply.code(400).send({ badRequest: { code: 400, message: `Invalid volume: Volume ${vid} status must be available or downloading` } });
    }
    const a: StubAttachment = { id: randomUUID(), volume_id: vid, instance: iid, status: connector ? 'attaching' : 'reserved', connector: connector ?? null };
    attachments.set(a.id, a);
    v.attachments.push(a.id);
    v.status = 'reserved';
    return { attachment: { ...a, attach_mode: null, connection_info: connector ? { driver_volume_type: 'iscsi', data: {} } : null } };
  });
  app.put<{ Params: { id: string }; Body: { attachment: { connector: unknown } } }>('/v3/attachments/:id', async (req, reply) => {
    const a = attachments.get(req.params.id);
    if (!a) return reply.code(404).send(notFound(`Attachment ${req.params.id}`));
    a.connector = req.body.attachment.connector;
    a.status = 'attaching';
    volumes.get(a.volume_id)!.status = 'attaching';
    return { attachment: { ...a, attach_mode: 'rw', connection_info: { driver_volume_type: 'iscsi', data: { target_lun: 1, volume_id: a.volume_id } } } };
  });
  app.post<{ Params: { id: string } }>('/v3/attachments/:id/action', async (req, reply) => {
    const a = attachments.get(req.params.id);
    if (!a) return reply.code(404).send(notFound(`Attachment ${req.params.id}`));
    a.status = 'attached';
    volumes.get(a.volume_id)!.status = 'in-use';
    return reply.code(204).send();
  });
  app.delete<{ Params: { id: string } }>('/v3/attachments/:id', async (req, reply) => {
    const a = attachments.get(req.params.id);
    if (!a) return reply.code(404).send(notFound(`Attachment ${req.params.id}`));
    attachments.delete(a.id);
    const v = volumes.get(a.volume_id)!;
    v.attachments = v.attachments.filter((x) => x !== a.id);
    if (v.attachments.length === 0) v.status = 'available';
    return { attachments: [] };
  });
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/v3/volumes/:id/action', async (req, reply) => {
    const v = volumes.get(req.params.id);
    if (!v) return reply.code(404).send(notFound(`Volume ${req.params.id}`));
    if ('os-begin_detaching' in req.body) {
      if (v.status !== 'in-use') return reply.code(400).send({ badRequest: { code: 400, message: 'Invalid volume: Volume status must be in-use' } });
      v.status = 'detaching';
    } else if ('os-roll_detaching' in req.body && v.status === 'detaching') v.status = 'in-use';
    return reply.code(202).send();
  });
  app.delete<{ Params: { id: string } }>('/v3/volumes/:id', async (req, reply) => {
    const v = volumes.get(req.params.id);
    if (!v) return reply.code(404).send(notFound(`Volume ${req.params.id}`));
    if (v.status !== 'available' && v.status !== 'error') return reply.code(400).send({ badRequest: { code: 400, message: 'Invalid volume: Volume status must be available or error' } });
    volumes.delete(v.id);
    return reply.code(202).send();
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, calls, volumes, attachments, snapshots };
}

describe('os-volume_attachments (against a stand-in Cinder in this test)', () => {
  let b: BootCloud;
  let cinder: Awaited<ReturnType<typeof stubCinder>>;
  let id = '';
  const vol = (status = 'available', multiattach = false): string => {
    const v: StubVolume = { id: randomUUID(), status, size: 1, multiattach, attachments: [] };
    cinder.volumes.set(v.id, v);
    return v.id;
  };

  async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  before(async () => {
    cinder = await stubCinder();
    b = await BootCloud.start({ 'DEFAULT.hosts': 'c1', 'DEFAULT.vif_plugging_timeout': '0' });
    const created = await b.boot({ name: 'disks' });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    id = created.body.server.id;
    await b.waitFor(id, ['ACTIVE']);
  });
  after(async () => {
    await b?.close();
    await cinder?.app.close();
  });

  test('no Block Storage in the catalog: 409, and listing still works', async () => {
    const res = await b.compute('POST', `/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: randomUUID() } });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.match(res.body.conflictingRequest.message, /^The Block Storage \(volume\) service is not available: no public endpoint for service type/);
    assert.deepEqual((await b.compute('GET', `/servers/${id}/os-volume_attachments`)).body, { volumeAttachments: [] });
    assert.equal(cinder.calls.length, 0);
  });

  test('with Cinder in the catalog: attach reserves, the host connects and completes; list/show per microversion', async () => {
    const svc = await b.call('POST', '/identity/v3/services', { service: { type: 'block-storage', name: 'cinder' } });
    assert.equal(svc.status, 201);
    const ep = await b.call('POST', '/identity/v3/endpoints', { endpoint: { service_id: svc.body.service.id, interface: 'public', url: `${cinder.url}/v3` } });
    assert.equal(ep.status, 201, JSON.stringify(ep.body));
    const v1 = vol();
    const res = await b.compute('POST', `/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: v1, tag: 'data', delete_on_termination: true } }, '2.79');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.volumeAttachment, { id: v1, serverId: id, volumeId: v1, device: '/dev/vdb', tag: 'data', delete_on_termination: true });
    await until('the volume in-use', () => cinder.volumes.get(v1)!.status === 'in-use');
    const reserve = cinder.calls.find((c) => c.method === 'POST' && c.path === '/v3/attachments')!;
    assert.equal(reserve.version, 'volume 3.44');
    assert.deepEqual(reserve.body, { attachment: { volume_uuid: v1, instance_uuid: id } }, 'reserved without a connector');
    const update = cinder.calls.find((c) => c.method === 'PUT')!;
    assert.equal(update.body.attachment.connector.host, 'c1');
    assert.ok(cinder.calls.some((c) => c.method === 'POST' && /\/action$/.test(c.path) && 'os-complete' in c.body));
    const bdm = await b.repos.bdms.byVolumeAndInstance(v1, id);
    await until('the connection info saved', async () => (await b.repos.bdms.byVolumeAndInstance(v1, id)).data.connection_info !== null);
    const console = await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, /disk attached at \/dev\/vdb \(iscsi\)/);

    assert.deepEqual((await b.compute('GET', `/servers/${id}/os-volume_attachments`)).body.volumeAttachments, [{ id: v1, volumeId: v1, serverId: id, device: '/dev/vdb' }]);
    assert.deepEqual((await b.compute('GET', `/servers/${id}/os-volume_attachments/${v1}`, undefined, '2.70')).body.volumeAttachment.tag, 'data');
    const latest = (await b.compute('GET', `/servers/${id}/os-volume_attachments/${v1}`, undefined, '2.89')).body.volumeAttachment;
    assert.deepEqual(latest, {
      volumeId: v1, serverId: id, device: '/dev/vdb', tag: 'data', delete_on_termination: true, attachment_id: bdm.data.attachment_id, bdm_uuid: bdm.data.uuid,
    });
    assert.equal((await b.compute('GET', `/servers/${id}/os-volume_attachments?limit=0`)).body.volumeAttachments.length, 0);
    assert.equal((await b.compute('GET', `/servers/${id}/os-volume_attachments?limit=x`)).status, 400);
    assert.equal((await b.compute('GET', `/servers/${id}/os-volume_attachments?foo=1`, undefined, '2.75')).status, 400);

    const upd = await b.compute('PUT', `/servers/${id}/os-volume_attachments/${v1}`, { volumeAttachment: { volumeId: v1, delete_on_termination: false } }, '2.85');
    assert.equal(upd.status, 202, JSON.stringify(upd.body));
    assert.equal((await b.compute('GET', `/servers/${id}/os-volume_attachments/${v1}`, undefined, '2.79')).body.volumeAttachment.delete_on_termination, false);
    const immutable = await b.compute('PUT', `/servers/${id}/os-volume_attachments/${v1}`, { volumeAttachment: { volumeId: v1, tag: 'other' } }, '2.85');
    assert.equal(immutable.status, 400);
    assert.equal(immutable.body.badRequest.message, 'The tag property is not mutable');
  });

  test('swap (admin): the host moves the disk to the new volume; refusals as nova words them', async () => {
    const old = [...cinder.volumes.values()].find((v) => v.status === 'in-use')!.id;
    /** A volume in use by some other server. */
    const elsewhere = (): string => {
      const v = vol('in-use');
      const a: StubAttachment = { id: randomUUID(), volume_id: v, instance: randomUUID(), status: 'attached', connector: null };
      cinder.attachments.set(a.id, a);
      cinder.volumes.get(v)!.attachments.push(a.id);
      return v;
    };
    const small: StubVolume = { id: randomUUID(), status: 'available', size: 0, multiattach: false, attachments: [] };
    cinder.volumes.set(small.id, small);
    const refusals: Array<[string, string, number, RegExp]> = [
      [old, randomUUID(), 400, /^Volume [0-9a-f-]+ could not be found\.$/],
      [randomUUID(), vol(), 404, /^Volume [0-9a-f-]+ could not be found\.$/],
      [vol(), vol(), 400, /^Invalid volume: Old volume is attached to a different instance\.$/],
      [old, small.id, 400, /^Invalid volume: New volume must be the same size or larger\.$/],
      [old, elsewhere(), 400, /^Invalid volume: New volume must be detached in order to swap\.$/],
    ];
    for (const [from, to, status, message] of refusals) {
      const res = await b.compute('PUT', `/servers/${id}/os-volume_attachments/${from}`, { volumeAttachment: { volumeId: to } });
      assert.equal(res.status, status, `${from} -> ${to}: ${JSON.stringify(res.body)}`);
      assert.match(Object.values(res.body as Record<string, { message: string }>)[0]!.message, message);
    }
    const fresh = vol();
    const swap = await b.compute('PUT', `/servers/${id}/os-volume_attachments/${old}`, { volumeAttachment: { volumeId: fresh } });
    assert.equal(swap.status, 202, JSON.stringify(swap.body));
    await until('the old volume released', () => cinder.volumes.get(old)!.status === 'available');
    assert.equal(cinder.volumes.get(fresh)!.status, 'in-use');
    const list = (await b.compute('GET', `/servers/${id}/os-volume_attachments`)).body.volumeAttachments;
    assert.deepEqual(list, [{ id: fresh, volumeId: fresh, serverId: id, device: '/dev/vdb' }]);
    const console = await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, /disk at \/dev\/vdb swapped/);
  });

  test('bad input and what Nova refuses', async () => {
    const attachedId = (await b.repos.bdms.byInstance(id)).find((x) => x.isVolume)!.data.volume_id!;
    const cases: Array<[unknown, string, number, RegExp?]> = [
      [{ volumeAttachment: { volumeId: 'x' } }, '2.1', 400],
      [{ volumeAttachment: {} }, '2.1', 400],
      [{ volumeAttachment: { volumeId: vol(), device: 'vdc' } }, '2.1', 400],
      [{ volumeAttachment: { volumeId: vol(), tag: 't' } }, '2.48', 400],
      [{ volumeAttachment: { volumeId: vol(), delete_on_termination: true } }, '2.78', 400],
      [{ volumeAttachment: { volumeId: randomUUID() } }, '2.1', 404, /^Volume [0-9a-f-]+ could not be found\.$/],
      [{ volumeAttachment: { volumeId: attachedId } }, '2.1', 400, /already attached/],
      [{ volumeAttachment: { volumeId: vol(), device: '/dev/vdb' } }, '2.1', 409, /^The supplied device path \(\/dev\/vdb\) is in use\.$/],
      [{ volumeAttachment: { volumeId: vol('in-use', true) } }, '2.59', 400, /only supported starting with compute API version 2\.60/],
      [{ volumeAttachment: { volumeId: vol('error') } }, '2.1', 400, /status must be available/],
    ];
    for (const [body, version, status, message] of cases) {
      const res = await b.compute('POST', `/servers/${id}/os-volume_attachments`, body, version);
      assert.equal(res.status, status, `${JSON.stringify(body)} @${version}: ${JSON.stringify(res.body)}`);
      if (message) assert.match(Object.values(res.body as Record<string, { message: string }>)[0]!.message, message);
    }
    assert.equal((await b.repos.bdms.byInstance(id)).filter((x) => x.isVolume).length, 1, 'refused attachments leave no mapping');
    assert.equal((await b.compute('GET', `/servers/${id}/os-volume_attachments/${randomUUID()}`)).status, 404);
    const notAttached = await b.compute('DELETE', `/servers/${id}/os-volume_attachments/${vol()}`);
    assert.equal(notAttached.status, 404);
    assert.match(notAttached.body.itemNotFound.message, /^Instance [0-9a-f-]+ is not attached to volume/);
    assert.equal((await b.compute('DELETE', `/servers/${id}/os-volume_attachments/${randomUUID()}`)).status, 404, 'unknown to Cinder');
    const other = await b.projectUserToken('volother');
    assert.equal((await b.computeAs(other.token, 'GET', `/servers/${id}/os-volume_attachments`)).status, 404);
    assert.equal((await b.computeAs(other.token, 'POST', `/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: vol() } })).status, 404);
    const swap = await b.computeAs(other.token, 'PUT', `/servers/${id}/os-volume_attachments/${attachedId}`, { volumeAttachment: { volumeId: vol() } });
    assert.equal(swap.status, 404);
    await b.repos.instances.save(id, { task_state: 'rebooting', vm_state: 'building' });
    const busy = await b.compute('POST', `/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: vol() } });
    await b.repos.instances.save(id, { task_state: null, vm_state: 'active' });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.conflictingRequest.message, `Cannot 'attach_volume' instance ${id} while it is in vm_state building`);
  });

  test('boot from an existing volume: reserved by the API, connected by the host, released by the delete', async () => {
    const root = vol();
    const before = cinder.calls.length;
    const created = await b.compute('POST', '/servers', { server: {
      name: 'bfv', flavorRef: '1', networks: 'none',
      block_device_mapping_v2: [{ boot_index: 0, uuid: root, source_type: 'volume', destination_type: 'volume', delete_on_termination: false }],
    } }, '2.37');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const bfv = created.body.server.id;
    const server = await b.waitFor(bfv, ['ACTIVE', 'ERROR']);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    assert.equal(server.image, '');
    assert.equal(cinder.volumes.get(root)!.status, 'in-use');
    const made = cinder.calls.slice(before).map((c) => `${c.method} ${c.path.replace(/[0-9a-f-]{36}/g, 'ID')}`);
    // two looks at the volume, as Nova's: get_bdm_image_metadata (is it bootable), then the reservation's
    assert.deepEqual(made, ['GET /v3/volumes/ID', 'GET /v3/volumes/ID', 'POST /v3/attachments', 'PUT /v3/attachments/ID', 'POST /v3/attachments/ID/action']);
    const list = (await b.compute('GET', `/servers/${bfv}/os-volume_attachments`)).body.volumeAttachments;
    assert.deepEqual(list, [{ id: root, volumeId: root, serverId: bfv, device: '/dev/vda' }]);
    const console = await b.compute('POST', `/servers/${bfv}/action`, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, new RegExp(`disk /dev/vda: volume ${root} \\(root\\)`));
    const rootDetach = await b.compute('DELETE', `/servers/${bfv}/os-volume_attachments/${root}`);
    assert.equal(rootDetach.status, 400);
    assert.equal(rootDetach.body.badRequest.message, 'Cannot detach a root device volume');
    assert.equal((await b.compute('DELETE', `/servers/${bfv}`)).status, 204);
    await until('the root volume released', () => cinder.volumes.get(root)!.status === 'available');
  });

  test('boot with a volume Cinder does not know or will not give: 400, nothing left behind', async () => {
    for (const [volumeId, message] of [[randomUUID(), /^Block Device Mapping is Invalid: failed to get volume [0-9a-f-]+\.$/], [vol('error'), /^Invalid volume: .*status must be available/]] as const) {
      const res = await b.compute('POST', '/servers', { server: {
        name: 'bad-bfv', flavorRef: '1', networks: 'none',
        block_device_mapping_v2: [{ boot_index: 0, uuid: volumeId, source_type: 'volume', destination_type: 'volume' }],
      } }, '2.37');
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.badRequest.message, message);
    }
    const names = (await b.compute('GET', '/servers')).body.servers.map((s: any) => s.name);
    assert.ok(!names.includes('bad-bfv'), names.join());
  });

  test('volumes to create: sizes required, images and snapshots must exist (400s of _validate_bdm)', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ uuid: b.imageId, source_type: 'image', destination_type: 'volume' }, /^Images with destination_type 'volume' need to have a non-zero size specified$/],
      [{ uuid: randomUUID(), source_type: 'image', destination_type: 'volume', volume_size: 1 }, /^Block Device Mapping is Invalid: failed to get image [0-9a-f-]+\.$/],
      [{ source_type: 'blank', destination_type: 'volume' }, /^Blank volumes \(source: 'blank', dest: 'volume'\) need to have non-zero size$/],
      [{ uuid: randomUUID(), source_type: 'snapshot', destination_type: 'volume' }, /^Block Device Mapping is Invalid: failed to get snapshot [0-9a-f-]+\.$/],
    ];
    for (const [bdm, message] of cases) {
      const res = await b.compute('POST', '/servers', { server: { name: 'bad-new-volume', flavorRef: '1', networks: 'none', block_device_mapping_v2: [{ boot_index: 0, ...bdm }] } }, '2.37');
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.badRequest.message, message);
    }
    const names = (await b.compute('GET', '/servers')).body.servers.map((s: any) => s.name);
    assert.ok(!names.includes('bad-new-volume'), names.join());
  });

  test('boot from an image to a new volume, with a blank and a snapshot volume: the host creates, waits and attaches them', async () => {
    const snap = { id: randomUUID(), size: 3 };
    cinder.snapshots.set(snap.id, snap);
    const created = await b.compute('POST', '/servers', { server: {
      name: 'itv', flavorRef: '1', networks: 'none',
      block_device_mapping_v2: [
        { boot_index: 0, uuid: b.imageId, source_type: 'image', destination_type: 'volume', volume_size: 2, delete_on_termination: true },
        { boot_index: -1, source_type: 'blank', destination_type: 'volume', volume_size: 1 },
        { boot_index: -1, uuid: snap.id, source_type: 'snapshot', destination_type: 'volume', delete_on_termination: true },
      ],
    } }, '2.37');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const sid = created.body.server.id;
    const server = await b.waitFor(sid, ['ACTIVE', 'ERROR']);
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    assert.equal(server.image, '');
    const mine = [...cinder.volumes.values()].filter((v) => v.attachments.some((a) => cinder.attachments.get(a)!.instance === sid));
    const root = mine.find((v) => v.imageRef === b.imageId)!;
    const blank = mine.find((v) => v.name === `${sid}-blank-vol`)!;
    const fromSnap = mine.find((v) => v.snapshot_id === snap.id)!;
    assert.deepEqual([root.size, blank.size, fromSnap.size], [2, 1, 3], 'a snapshot volume takes the snapshot\'s size');
    assert.ok([root, blank, fromSnap].every((v) => v.status === 'in-use'));
    const attached = (await b.compute('GET', `/servers/${sid}/os-volume_attachments`)).body.volumeAttachments;
    assert.deepEqual(attached.map((a: any) => a.device).sort(), ['/dev/vda', '/dev/vdb', '/dev/vdc']);
    assert.equal(attached.find((a: any) => a.device === '/dev/vda').volumeId, root.id);
    assert.equal((await b.compute('DELETE', `/servers/${sid}`)).status, 204);
    await until('delete_on_termination volumes deleted, the blank one released', () =>
      !cinder.volumes.has(root.id) && !cinder.volumes.has(fromSnap.id) && cinder.volumes.get(blank.id)?.status === 'available');
  });

  test('a volume that ends in error: the build is aborted (no reschedule), the volume deleted with the server', async () => {
    const created = await b.compute('POST', '/servers', { server: {
      name: 'itv-fail', flavorRef: '1', networks: 'none',
      block_device_mapping_v2: [{ boot_index: 0, source_type: 'blank', destination_type: 'volume', volume_size: 13, delete_on_termination: true }],
    } }, '2.37');
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const sid = created.body.server.id;
    const server = await b.waitFor(sid, ['ACTIVE', 'ERROR']);
    assert.equal(server.status, 'ERROR');
    assert.match(server.fault.message, /Failure prepping block device/);
    const actions = (await b.compute('GET', `/servers/${sid}/os-instance-actions`)).body.instanceActions;
    assert.equal(actions.length, 1);
    await until('the error volume deleted', () => ![...cinder.volumes.values()].some((v) => v.name === `${sid}-blank-vol`));
    assert.ok(cinder.calls.some((c) => c.method === 'POST' && c.path === '/v3/volumes' && c.body.volume.size === 13), 'the volume was asked for');
  });

  test('detach: 202, the host detaches and deletes the attachment; deleting a server lets go of its volumes', async () => {
    const v1 = (await b.repos.bdms.byInstance(id)).find((x) => x.isVolume)!.data.volume_id!;
    const del = await b.compute('DELETE', `/servers/${id}/os-volume_attachments/${v1}`);
    assert.equal(del.status, 202, JSON.stringify(del.body));
    assert.ok(cinder.calls.some((c) => c.method === 'POST' && c.path === `/v3/volumes/${v1}/action` && 'os-begin_detaching' in c.body), 'the volume detaching first');
    await until('the volume available', () => cinder.volumes.get(v1)!.status === 'available');
    await until('the mapping gone', async () => (await b.compute('GET', `/servers/${id}/os-volume_attachments`)).body.volumeAttachments.length === 0);
    const console = await b.compute('POST', `/servers/${id}/action`, { 'os-getConsoleOutput': {} });
    assert.match(console.body.output, /disk detached from \/dev\/vdb/);

    const v2 = vol();
    const v3 = vol();
    assert.equal((await b.compute('POST', `/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: v2 } })).body.volumeAttachment.device, '/dev/vdb');
    const third = await b.compute('POST', `/servers/${id}/os-volume_attachments`, { volumeAttachment: { volumeId: v3, delete_on_termination: true } }, '2.79');
    assert.equal(third.body.volumeAttachment.device, '/dev/vdc');
    await until('v2 and v3 in-use', () => cinder.volumes.get(v2)!.status === 'in-use' && cinder.volumes.get(v3)!.status === 'in-use');
    assert.deepEqual((await b.compute('GET', `/servers/${id}`)).body.server['os-extended-volumes:volumes_attached'], [{ id: v2 }, { id: v3 }]);
    assert.deepEqual((await b.compute('GET', `/servers/${id}`, undefined, '2.3')).body.server['os-extended-volumes:volumes_attached'],
      [{ id: v2, delete_on_termination: false }, { id: v3, delete_on_termination: true }]);
    assert.equal((await b.compute('DELETE', `/servers/${id}`)).status, 204);
    await until('v2 released by the delete', () => cinder.volumes.get(v2)!.status === 'available');
    await until('v3 deleted with the server', () => !cinder.volumes.has(v3));
    assert.deepEqual([...cinder.attachments.values()].filter((a) => a.instance === id), []);
  });
});
