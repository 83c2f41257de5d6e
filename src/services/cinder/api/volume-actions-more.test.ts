import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { startCinder, type CinderHarness } from '../testing/cinder-harness.js';

describe('cinder volume actions: retype, migrate, connections, force detach, image metadata, revert; snapshot status; hosts, capabilities, extensions', () => {
  let h: CinderHarness;
  before(async () => { h = await startCinder({}, { extraVolumeHosts: ['host2'] }); });
  after(async () => { await h?.close(); });

  const act = (id: string, body: unknown, version = '3.0', token?: string) => h.as(token ?? h.admin, 'POST', `/v3/p1/volumes/${id}/action`, body, version);
  const show = async (id: string) => (await h.as(h.admin, 'GET', `/v3/p1/volumes/${id}`)).body.volume;
  const waitUntil = async (id: string, ok: (v: any) => boolean): Promise<any> => {
    for (let i = 0; i < 250; i++) {
      const v = await show(id);
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`volume ${id} never got there: ${JSON.stringify(await show(id))}`);
  };
  const newVolume = async (body: Record<string, unknown> = {}): Promise<any> => {
    const v = (await h.as(h.member, 'POST', '/v3/p1/volumes', { volume: { size: 1, ...body } })).body.volume;
    return h.waitFor(`/v3/p1/volumes/${v.id}`, 'volume', 'available');
  };

  test('os-retype without migration: the type changes, the host stays', async () => {
    const t1 = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'rt1' } })).body.volume_type;
    const t2 = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'rt2' } })).body.volume_type;
    const v = await newVolume({ volume_type: t1.name });
    const before = await show(v.id);
    assert.equal((await act(v.id, { 'os-retype': { new_type: t1.name } })).status, 400, 'same type');
    assert.equal((await act(v.id, { 'os-retype': { new_type: 'nope' } })).status, 404);
    assert.equal((await act(v.id, { 'os-retype': { new_type: t2.name, migration_policy: 'sometimes' } })).status, 400);
    assert.equal((await act(v.id, { 'os-retype': { new_type: t2.name, migration_policy: 'never' } }, '3.0', h.member)).status, 202);
    const after = await waitUntil(v.id, (x) => x.volume_type === 'rt2' && x.status === 'available');
    assert.equal(after['os-vol-host-attr:host'], before['os-vol-host-attr:host']);
    assert.equal(after.migration_status, null);
  });

  test('os-retype to a type the volume host does not take: never gives up, on-demand moves the volume', async () => {
    const src = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'on-test', extra_specs: { volume_backend_name: 'file' } } })).body.volume_type;
    const dst = (await h.as(h.admin, 'POST', '/v3/p1/types', { volume_type: { name: 'nowhere', extra_specs: { volume_backend_name: 'lvm' } } })).body.volume_type;
    const v = await newVolume({ volume_type: src.name });
    assert.equal((await act(v.id, { 'os-retype': { new_type: dst.id, migration_policy: 'on-demand' } })).status, 202);
    const back = await waitUntil(v.id, (x) => x.status === 'available');
    assert.equal(back.volume_type, 'on-test', 'no backend takes the new type: nothing changed');
    // a type only host2 passes (AvailabilityZone and capacity alike, but the pool's name differs in capabilities: use the backend name of both and move by host)
    const before = await show(v.id);
    const dest = before['os-vol-host-attr:host'].startsWith('testhost') ? 'host2@file' : 'testhost@file';
    const file = before['os-vol-host-attr:host'].startsWith('testhost') ? 'testhost' : 'host2';
    const data = `${h.dataDir}/volumes/${file}/volume-${v.id}`;
    await writeFile(data, 'payload', { flag: 'r+' });
    assert.equal((await act(v.id, { 'os-migrate_volume': { host: before['os-vol-host-attr:host'].split('#')[0] } })).status, 400, 'same host');
    assert.equal((await act(v.id, { 'os-migrate_volume': { host: 'ghost@file' } })).status, 400, 'no such service');
    assert.equal((await act(v.id, { 'os-migrate_volume': { host: dest } }, '3.0', h.member)).status, 403);
    assert.equal((await act(v.id, { 'os-migrate_volume': { host: dest } })).status, 202);
    const moved = await waitUntil(v.id, (x) => x.migration_status === 'success');
    assert.equal(moved['os-vol-host-attr:host'], `${dest}#file`);
    assert.equal(moved.status, 'available');
    const destDir = dest.split('@')[0];
    assert.equal((await readFile(`${h.dataDir}/volumes/${destDir}/volume-${v.id}`)).subarray(0, 7).toString(), 'payload', 'the data moved');
    await assert.rejects(access(data), 'the source file is gone');
  });

  test('os-initialize_connection / os-terminate_connection give the file connection info; os-force_detach frees the volume', async () => {
    const v = await newVolume();
    const conn = await act(v.id, { 'os-initialize_connection': { connector: { host: 'c1', initiator: 'x' } } }, '3.0', h.member);
    assert.equal(conn.status, 200);
    assert.equal(conn.body.connection_info.driver_volume_type, 'file');
    assert.match(conn.body.connection_info.data.device_path, new RegExp(`volume-${v.id}$`));
    assert.equal(conn.body.connection_info.data.access_mode, 'rw');
    assert.equal(conn.body.connection_info.data.encrypted, false);
    assert.equal((await act(v.id, { 'os-initialize_connection': {} })).status, 400);
    assert.equal((await act(v.id, { 'os-terminate_connection': { connector: { host: 'c1' } } }, '3.0', h.member)).status, 202);
    const server = '0b4d3a61-1c2f-4e27-9f3e-6c1d2b3a4f50';
    assert.equal((await act(v.id, { 'os-attach': { instance_uuid: server, mountpoint: '/dev/vdb' } })).status, 202);
    const attached = await show(v.id);
    assert.equal(attached.status, 'in-use');
    assert.equal((await act(v.id, { 'os-reset_status': { status: 'error' } })).status, 202);
    assert.equal((await act(v.id, { 'os-force_detach': { attachment_id: attached.attachments[0].attachment_id, connector: null } }, '3.0', h.member)).status, 403);
    assert.equal((await act(v.id, { 'os-force_detach': { attachment_id: attached.attachments[0].attachment_id, connector: null } })).status, 202);
    const freed = await show(v.id);
    assert.equal(freed.status, 'available');
    assert.deepEqual(freed.attachments, []);
    assert.equal((await act(v.id, { 'os-detach': {} })).status, 202, 'detaching a detached volume is harmless');
  });

  test('force delete ignores the status (attaching), not an attachment', async () => {
    const v = await newVolume();
    assert.equal((await act(v.id, { 'os-reset_status': { status: 'attaching' } })).status, 202);
    assert.equal((await act(v.id, { 'os-force_delete': {} })).status, 202);
    await h.waitGone(`/v3/p1/volumes/${v.id}`);
  });

  test('image metadata: set, show, unset', async () => {
    const v = await newVolume();
    const set = await act(v.id, { 'os-set_image_metadata': { metadata: { image_name: 'img', kernel_id: 'k' } } }, '3.0', h.member);
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { metadata: { image_name: 'img', kernel_id: 'k' } });
    assert.deepEqual((await show(v.id)).volume_image_metadata, { image_name: 'img', kernel_id: 'k' });
    assert.equal((await act(v.id, { 'os-unset_image_metadata': { key: 'kernel_id' } }, '3.0', h.member)).status, 200);
    assert.equal((await act(v.id, { 'os-unset_image_metadata': { key: 'kernel_id' } }, '3.0', h.member)).status, 404);
    assert.deepEqual((await act(v.id, { 'os-show_image_metadata': null }, '3.0', h.member)).body, { metadata: { image_name: 'img' } });
    assert.equal((await act(v.id, { 'os-set_image_metadata': { metadata: 'x' } })).status, 400);
  });

  test('revert (3.40) puts the latest snapshot back', async () => {
    const v = await newVolume();
    const host = (await show(v.id))['os-vol-host-attr:host'].split('@')[0];
    const path = `${h.dataDir}/volumes/${host}/volume-${v.id}`;
    await writeFile(path, 'first', { flag: 'r+' });
    const s1 = (await h.as(h.member, 'POST', '/v3/p1/snapshots', { snapshot: { volume_id: v.id } })).body.snapshot;
    await h.waitFor(`/v3/p1/snapshots/${s1.id}`, 'snapshot', 'available');
    await new Promise((r) => setTimeout(r, 1100)); // created_at has whole seconds
    await writeFile(path, 'second', { flag: 'r+' });
    const s2 = (await h.as(h.member, 'POST', '/v3/p1/snapshots', { snapshot: { volume_id: v.id } })).body.snapshot;
    await h.waitFor(`/v3/p1/snapshots/${s2.id}`, 'snapshot', 'available');
    await writeFile(path, 'third!', { flag: 'r+' });
    assert.equal((await act(v.id, { revert: { snapshot_id: s2.id } }, '3.39')).status, 404);
    assert.equal((await act(v.id, { revert: { snapshot_id: s1.id } }, '3.40')).status, 400, 'only the latest snapshot');
    assert.equal((await act(v.id, { revert: { snapshot_id: s2.id } }, '3.40', h.member)).status, 202);
    await waitUntil(v.id, (x) => x.status === 'available');
    assert.equal((await readFile(path)).subarray(0, 6).toString(), 'second');
    assert.equal((await h.as(h.member, 'GET', `/v3/p1/snapshots/${s2.id}`)).body.snapshot.status, 'available');
  });

  test('os-update_snapshot_status moves creating snapshots only as allowed', async () => {
    const v = await newVolume();
    const s = (await h.as(h.member, 'POST', '/v3/p1/snapshots', { snapshot: { volume_id: v.id } })).body.snapshot;
    await h.waitFor(`/v3/p1/snapshots/${s.id}`, 'snapshot', 'available');
    const path = `/v3/p1/snapshots/${s.id}/action`;
    assert.equal((await h.as(h.admin, 'POST', path, { 'os-update_snapshot_status': { status: 'error' } })).status, 400, 'not creating');
    await h.as(h.admin, 'POST', path, { 'os-reset_status': { status: 'creating' } });
    assert.equal((await h.as(h.admin, 'POST', path, { 'os-update_snapshot_status': { status: 'deleting' } })).status, 400);
    assert.equal((await h.as(h.admin, 'POST', path, { 'os-update_snapshot_status': { status: 'error', progress: '80%' } })).status, 202);
    const after = (await h.as(h.admin, 'GET', `/v3/p1/snapshots/${s.id}`)).body.snapshot;
    assert.equal(after.status, 'error');
    assert.equal(after['os-extended-snapshot-attributes:progress'], '80%');
  });

  test('os-unmanage keeps the file; os-volume-manage adopts it again; manageable_volumes (3.8) lists it', async () => {
    const v = await newVolume();
    const host = (await show(v.id))['os-vol-host-attr:host'];
    const dir = `${h.dataDir}/volumes/${host.split('@')[0]}`;
    await writeFile(`${dir}/volume-${v.id}`, 'kept', { flag: 'r+' });
    const listed = async () => (await h.as(h.admin, 'GET', `/v3/p1/manageable_volumes/detail?host=${host.split('#')[0]}`, undefined, '3.8')).body['manageable-volumes'];
    assert.equal((await listed()).find((m: any) => m.reference['source-name'] === `volume-${v.id}`).safe_to_manage, false);
    assert.equal((await h.as(h.admin, 'GET', `/v3/p1/manageable_volumes?host=${host}`, undefined, '3.7')).status, 404);
    assert.equal((await act(v.id, { 'os-unmanage': null }, '3.0', h.member)).status, 403);
    assert.equal((await act(v.id, { 'os-unmanage': null })).status, 202);
    await h.waitGone(`/v3/p1/volumes/${v.id}`);
    await access(`${dir}/volume-${v.id}`);
    const offered = (await listed()).find((m: any) => m.reference['source-name'] === `volume-${v.id}`);
    assert.deepEqual([offered.safe_to_manage, offered.size, offered.cinder_id], [true, 1, null]);
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/os-volume-manage', { volume: { host: 'ghost@file', ref: { 'source-name': `volume-${v.id}` } } })).status, 404);
    const managed = await h.as(h.admin, 'POST', '/v3/p1/os-volume-manage', { volume: { host, ref: { 'source-name': `volume-${v.id}` }, name: 'adopted' } });
    assert.equal(managed.status, 202);
    assert.equal(managed.body.volume.status, 'creating', 'managing shows as creating');
    const adopted = await h.waitFor(`/v3/p1/volumes/${managed.body.volume.id}`, 'volume', 'available');
    assert.equal(adopted.size, 1);
    assert.equal(adopted.name, 'adopted');
    assert.equal((await readFile(`${dir}/volume-${adopted.id}`)).subarray(0, 4).toString(), 'kept');
    const bad = (await h.as(h.admin, 'POST', '/v3/p1/os-volume-manage', { volume: { host, ref: { 'source-name': 'missing' } } })).body.volume;
    await h.waitFor(`/v3/p1/volumes/${bad.id}`, 'volume', 'error');
    assert.equal((await h.as(h.admin, 'DELETE', `/v3/p1/volumes/${bad.id}`)).status, 202);
  });

  test('workers cleanup (3.24): a volume host settles what it left before its start, nothing newer', async () => {
    const old = await newVolume();
    const fresh = await newVolume();
    const db = h.db.db as any;
    await db.updateTable('volumes').set({ status: 'creating', updated_at: '2000-01-01T00:00:00Z' }).where('id', '=', old.id).execute();
    await db.updateTable('volumes').set({ status: 'creating', updated_at: '2999-01-01T00:00:00Z' }).where('id', '=', fresh.id).execute();
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/workers/cleanup', {}, '3.23')).status, 404);
    assert.equal((await h.as(h.member, 'POST', '/v3/p1/workers/cleanup', {}, '3.24')).status, 403);
    assert.equal((await h.as(h.admin, 'POST', '/v3/p1/workers/cleanup', { resource_type: 'backup' }, '3.24')).status, 400);
    const down = await h.as(h.admin, 'POST', '/v3/p1/workers/cleanup', {}, '3.24');
    assert.deepEqual(down.body, { cleaning: [], unavailable: [] }, 'is_up defaults to false: no service is down');
    const res = await h.as(h.admin, 'POST', '/v3/p1/workers/cleanup', { is_up: true, binary: 'cinder-volume' }, '3.24');
    assert.equal(res.status, 202);
    assert.deepEqual(res.body.cleaning.map((s: any) => s.host).sort(), ['host2@file', 'testhost@file']);
    assert.deepEqual(res.body.unavailable, []);
    await waitUntil(old.id, (v) => v.status === 'error');
    assert.equal((await show(fresh.id)).status, 'creating', 'work of the running service is left alone');
    await act(fresh.id, { 'os-reset_status': { status: 'available' } });
  });

  test('os-hosts, capabilities and the extension list', async () => {
    assert.equal((await h.as(h.member, 'GET', '/v3/p1/os-hosts')).status, 403);
    const hosts = (await h.as(h.admin, 'GET', '/v3/p1/os-hosts')).body.hosts;
    const volumeHosts = hosts.filter((x: any) => x.service === 'cinder-volume').map((x: any) => x.host_name).sort();
    assert.deepEqual(volumeHosts, ['host2@file', 'testhost@file']);
    assert.equal(hosts[0]['service-state'], 'enabled');
    const usage = (await h.as(h.admin, 'GET', '/v3/p1/os-hosts/testhost@file')).body.host;
    assert.equal(usage[0].resource.project, '(total)');
    assert.equal(typeof usage[0].resource.volume_count, 'string');
    assert.equal((await h.as(h.admin, 'GET', '/v3/p1/os-hosts/ghost@file')).status, 404);
    const caps = await h.as(h.admin, 'GET', '/v3/p1/capabilities/testhost@file#file');
    assert.equal(caps.status, 200);
    assert.equal(caps.body.volume_backend_name, 'file');
    assert.equal(caps.body.storage_protocol, 'file');
    assert.equal(caps.body.namespace, 'OS::Storage::Capabilities::testhost@file');
    assert.equal((await h.as(h.admin, 'GET', '/v3/p1/capabilities/ghost@file')).status, 404);
    const ext = (await h.as(h.member, 'GET', '/v3/p1/extensions')).body.extensions;
    assert.ok(ext.some((e: any) => e.name === 'Hosts' && e.alias === 'os-hosts'));
  });
});
