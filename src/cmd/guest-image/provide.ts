/**
 * The guest image on first start ([bootstrap] guest_image = true): unless the Image service
 * already has an image of that name, the image `nubo image build` makes is built once into
 * `<data_dir>/guest-image/` and uploaded as the cloud's admin, public: its kernel (aki) and
 * initramfs (ari) as `<name>-kernel` and `<name>-ramdisk`, and the qcow2 as `<name>` with
 * kernel_id/ramdisk_id (the qemu driver boots it directly, no bootloader) and the serial console
 * on the kernel's command line. Runs after the cloud says ready; `nubo up` reports the outcome.
 */
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ImageClient, type ImageCreate } from '../../common/clients/image.js';
import { ServiceSession } from '../../common/clients/session.js';
import { buildGuestImage, defaultDebCache } from './build.js';

export interface GuestImageProvision {
  /** Identity root URL (http://host:port/identity). */
  identityUrl: string;
  region: string;
  admin: { username: string; password: string; projectName: string };
  dataDir: string;
  /** The image's name in Glance. */
  name: string;
  /** Where the .debs are kept (default: `nubo image build`'s cache). */
  cacheDir?: string;
  /** Use only the .debs already in the cache. */
  offline?: boolean;
  log?: (line: string) => void;
}

export type GuestImageOutcome = { uploaded: false; existing: string } | { uploaded: true; imageId: string; kernelId: string; ramdiskId: string };

/** The files of the guest image in the data dir, built when missing. */
async function builtFiles(p: GuestImageProvision): Promise<{ disk: string; kernel: string; ramdisk: string }> {
  const dir = join(p.dataDir, 'guest-image');
  const files = { disk: join(dir, 'nubo-guest.qcow2'), kernel: join(dir, 'vmlinuz'), ramdisk: join(dir, 'initrd.img') };
  if (Object.values(files).every((f) => existsSync(f))) return files;
  mkdirSync(dir, { recursive: true });
  await buildGuestImage({
    output: files.disk, kernelOutput: files.kernel, ramdiskOutput: files.ramdisk, cacheDir: p.cacheDir ?? defaultDebCache(), offline: p.offline ?? false,
    ...(p.log ? { log: p.log } : {}),
  });
  return files;
}

export async function provideGuestImage(p: GuestImageProvision): Promise<GuestImageOutcome> {
  const session = new ServiceSession({
    authUrl: p.identityUrl, region: p.region,
    credentials: { username: p.admin.username, password: p.admin.password, projectName: p.admin.projectName, userDomainName: 'Default', projectDomainName: 'Default' },
  });
  const images = new ImageClient(session);
  const existing = await images.listImages({ name: p.name });
  if (existing.length > 0) return { uploaded: false, existing: existing[0]!.id };
  const files = await builtFiles(p);
  const upload = async (name: string, file: string, fields: ImageCreate): Promise<string> => {
    const image = await images.createImage({ ...fields, name, visibility: 'public' });
    await images.uploadData(image.id, createReadStream(file), { size: statSync(file).size });
    return image.id;
  };
  const kernelId = await upload(`${p.name}-kernel`, files.kernel, { disk_format: 'aki', container_format: 'aki' });
  const ramdiskId = await upload(`${p.name}-ramdisk`, files.ramdisk, { disk_format: 'ari', container_format: 'ari' });
  const imageId = await upload(p.name, files.disk, {
    disk_format: 'qcow2', container_format: 'bare', kernel_id: kernelId, ramdisk_id: ramdiskId, os_command_line: 'console=ttyS0 quiet',
  });
  return { uploaded: true, imageId, kernelId, ramdiskId };
}
