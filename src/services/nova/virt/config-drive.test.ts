// The config drive: the metadata tree as nova's metadata_for_config_drive lays it out, on an
// ISO 9660 image labelled config-2 (skipped without xorriso and genisoimage).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sampleInstance, sampleMetadata, SAMPLE_PUBLIC_KEY } from '../testing/sample-metadata.js';
import { configDriveFiles, writeConfigDrive } from './config-drive.js';

const dir = mkdtempSync(join(tmpdir(), 'nubo-configdrive-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the files: every OpenStack version and latest, user_data only when there is some, EC2 meta-data', async () => {
  const files = await configDriveFiles(sampleMetadata(sampleInstance('#!/bin/sh\necho hi\n')));
  const md = JSON.parse(String(files.get('openstack/latest/meta_data.json'))) as Record<string, unknown>;
  assert.equal(md['uuid'], '6f2b8a4e-2d1c-4b8e-9a57-0c4f1e2d3b4a');
  assert.equal(md['hostname'], 'vm1.novalocal');
  assert.deepEqual(md['public_keys'], { k: SAMPLE_PUBLIC_KEY });
  assert.equal(String(files.get('openstack/latest/user_data')), '#!/bin/sh\necho hi\n');
  assert.ok(files.has('openstack/2012-08-10/meta_data.json'));
  assert.ok(!files.has('openstack/2012-08-10/network_data.json'), 'network_data.json from Liberty on');
  assert.ok(files.has('openstack/2015-10-15/network_data.json'));
  assert.ok(files.has('openstack/latest/vendor_data2.json'));
  assert.equal((JSON.parse(String(files.get('ec2/latest/meta-data.json'))) as Record<string, unknown>)['hostname'], 'vm1.novalocal');
  const without = await configDriveFiles(sampleMetadata(sampleInstance(null)));
  assert.ok(![...without.keys()].some((k) => k.endsWith('user_data') || k.endsWith('user-data')));
});

const noIsoTool = ['xorriso', 'genisoimage'].every((t) => { try { execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }); return false; } catch { return true; } });

test('the ISO: labelled config-2, holding the files', { skip: noIsoTool ? 'neither xorriso nor genisoimage is installed' : false }, async () => {
  const iso = join(dir, 'disk.config');
  await writeConfigDrive(await configDriveFiles(sampleMetadata(sampleInstance('#!/bin/sh\n'))), iso);
  const header = execFileSync('dd', [`if=${iso}`, 'bs=2048', 'skip=16', 'count=1', 'status=none']);
  assert.equal(header.subarray(1, 6).toString('latin1'), 'CD001', 'an ISO 9660 volume descriptor');
  assert.equal(header.subarray(40, 72).toString('latin1').trim(), 'config-2');
  const listing = execFileSync('xorriso', ['-indev', iso, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  assert.match(listing, /'\/openstack\/latest\/meta_data\.json'/);
  assert.match(listing, /'\/openstack\/latest\/user_data'/);
});
