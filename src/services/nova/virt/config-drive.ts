/**
 * The config drive (nova/virt/configdrive.py): the metadata service's tree as files —
 * openstack/<version>/{meta_data.json, user_data, vendor_data.json, network_data.json,
 * vendor_data2.json} and ec2/<version>/{meta-data.json, user-data}, for every version and
 * latest (InstanceMetadata.metadata_for_config_drive) — on an ISO 9660 image labelled config-2,
 * made by xorriso (genisoimage's options, as nova passes them) or genisoimage.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FOLSOM, HAVANA, InvalidMetadataPath, LIBERTY, NEWTON_TWO, OPENSTACK_VERSIONS, type InstanceMetadata } from '../metadata/base.js';
import { QemuError } from '../errors.js';

/** The files of an OpenStack version directory and the version each appeared in (metadata_for_config_drive's checks). */
const OPENSTACK_FILES: ReadonlyArray<[name: string, since: string]> = [
  ['meta_data.json', FOLSOM], ['user_data', FOLSOM], ['vendor_data.json', HAVANA], ['network_data.json', LIBERTY], ['vendor_data2.json', NEWTON_TWO],
];
const versions: readonly string[] = OPENSTACK_VERSIONS;

/** The config drive's files: path -> contents. */
export async function configDriveFiles(md: InstanceMetadata): Promise<Map<string, Buffer | string>> {
  const files = new Map<string, Buffer | string>();
  for (const version of [...OPENSTACK_VERSIONS, 'latest']) {
    for (const [name, since] of OPENSTACK_FILES) {
      if (version !== 'latest' && versions.indexOf(version) < versions.indexOf(since)) continue;
      try {
        const value = await md.lookup(`/openstack/${version}/${name}`);
        if (typeof value === 'string' || Buffer.isBuffer(value)) files.set(`openstack/${version}/${name}`, value);
      } catch (err) {
        if (!(err instanceof InvalidMetadataPath)) throw err; // not in this version, or no user data
      }
    }
  }
  const ec2 = md.ec2Metadata('latest');
  files.set('ec2/latest/meta-data.json', JSON.stringify(ec2['meta-data']));
  if (Buffer.isBuffer(ec2['user-data'])) files.set('ec2/latest/user-data', ec2['user-data']);
  return files;
}

function run(tool: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, (err, _stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve()));
  });
}

/** Write the ISO 9660 image of `files` (label config-2) to `output`. @throws QemuError when neither xorriso nor genisoimage works */
export async function writeConfigDrive(files: ReadonlyMap<string, Buffer | string>, output: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nubo-configdrive-'));
  try {
    for (const [path, data] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), data);
    }
    const args = ['-o', output, '-ldots', '-allow-lowercase', '-allow-multidot', '-l', '-publisher', 'Nubo Compute', '-quiet', '-J', '-r', '-V', 'config-2', dir];
    try {
      await run('xorriso', ['-as', 'genisoimage', ...args]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new QemuError(`xorriso: ${String((err as { stderr?: string }).stderr ?? err).trim()}`);
      await run('genisoimage', args).catch((e: unknown) => {
        throw new QemuError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'config drives need xorriso or genisoimage (Debian: apt-get install xorriso)' : `genisoimage: ${String((e as { stderr?: string }).stderr ?? e).trim()}`);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
