/**
 * A new user's round of a real guest's life with the `openstack` CLI (root, network namespaces,
 * QEMU, dnsmasq, iptables, ssh, the CLI and the guest image needed; skipped with the reason
 * otherwise). One cloud in this process with `compute_driver = qemu` (TCG), the Linux data plane
 * and Block Storage; the compute host and its agents share the host namespace `gf<tag>-{host}`;
 * "the outside" is a namespace on 203.0.113.0/24 behind the flat external network.
 *
 * Through the CLI, on the cloud's own clouds.yaml, in one interactive session: the guest image of
 * `nubo image build` uploaded with its kernel and initramfs, the external network, a router,
 * a keypair whose private key the CLI writes, SSH allowed; then `server create --wait vm1`,
 * `server add floating ip`, and from the outside `ssh -i key root@FIP`; `console log show`;
 * `server reboot --wait` (soft and --hard), `server stop` and `server start` (the guest answers
 * SSH again after each, and a file it kept in RAM is gone: it really started again, while one
 * in /root, on its disk, is kept), `server suspend` and `server resume` (the file is still
 * there); `server image create` (the snapshot inherits the kernel and initramfs) and a second
 * server booted from it, which answers SSH and has vm1's file in /root; a
 * volume attached to vm1 (`server add volume`), given an ext2 file system by the guest's busybox
 * mke2fs and a file, detached (`server remove volume`), attached to vm2 and the file read back
 * there, again after vm2's hard reboot and after an attach while vm2 was off; `server rebuild`
 * (a new root disk: the file in /root gone);
 * the servers deleted with the volume attached let go of it. Everything
 * the test made is removed at the end, also when it fails.
 */
import assert from 'node:assert/strict';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { until } from '../src/common/testing/until.js';
import { GuestCloud } from './support/guest-cloud.js';
import { kernelAndRamdisk } from '../src/services/nova/testing/guest-image.js';
import { dataPlaneGuest } from './support/data-plane-guest.js';
import { OpenstackShell, quoted } from './support/openstack-shell.js';

type JsonRecord = Record<string, any>;

const { work, image } = dataPlaneGuest('nubo-guest-flow-', ['dnsmasq', 'iptables-restore', 'conntrack', 'nft', 'ssh', 'mcopy', 'openstack']);

const g = new GuestCloud('gf', work);
const { tag } = g;
/** Minutes: a TCG guest boots in 20-45 s on this machine under load. */
const BOOT_MS = 300_000;
let cli: OpenstackShell | undefined;

after(async () => {
  await cli?.close().catch(() => undefined);
  const left = await g.close();
  rmSync(work, { recursive: true, force: true });
  if (!image.skip) assert.deepEqual(left, [], 'every namespace the test made is gone');
});

test('the openstack CLI on real guests: create, floating IP, SSH, console log, reboot, stop/start, snapshot, a volume moved between servers', {
  skip: image.skip ?? false, timeout: 1_800_000,
}, async (t) => {
  const b = await g.start({ 'DEFAULT.enabled_services': 'identity,image,network,placement,compute,volume' });
  assert.ok(b.cloud.cloud.cloudsYaml, 'the cloud wrote its clouds.yaml');
  const os = cli = new OpenstackShell(b.cloud.cloud.cloudsYaml);
  const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const v = await run();
    t.diagnostic(`${what}: ${Date.now() - t0} ms`);
    return v;
  };

  // the guest image with its kernel and initramfs (a direct kernel boot)
  const { kernel, ramdisk } = kernelAndRamdisk(image.path!, work);
  const kernelImage = await os.json(`image create --public --disk-format aki --container-format aki --file ${kernel} nubo-guest-kernel`);
  const ramdiskImage = await os.json(`image create --public --disk-format ari --container-format ari --file ${ramdisk} nubo-guest-ramdisk`);
  await os.json(`image create --public --disk-format qcow2 --container-format bare --file ${image.path} --property kernel_id=${kernelImage.id} --property ramdisk_id=${ramdiskImage.id} --property ${quoted('os_command_line=console=ttyS0 quiet')} nubo-guest`);

  // the outside: an external network, a router with its gateway there and an interface on private
  const ext = await os.json(`network create --external --provider-network-type flat --provider-physical-network extnet ext-${tag}`);
  g.made.networks.push(ext.id);
  await os.json(`subnet create --network ${ext.id} --subnet-range 203.0.113.0/24 --gateway 203.0.113.1 --no-dhcp --allocation-pool start=203.0.113.100,end=203.0.113.150 ext-${tag}`);
  const router = await os.json(`router create r-${tag}`);
  g.made.routers.push(router.id);
  await os.run(`router set --external-gateway ${ext.id} ${router.id}`);
  await os.run(`router add subnet ${router.id} private-subnet`);

  // the keypair (the CLI writes the private key) and SSH allowed in the project's default group
  const keyFile = join(work, 'key');
  await os.run(`keypair create --private-key ${keyFile} k`);
  chmodSync(keyFile, 0o600);
  const projectId = (await os.json('token issue')).project_id as string;
  const groups = await os.json<JsonRecord[]>(`security group list --project ${projectId}`);
  const sg = groups.find((g) => g.Name === 'default');
  assert.ok(sg, `the project's default security group: ${JSON.stringify(groups)}`);
  await os.json(`security group rule create --ingress --protocol tcp --dst-port 22 --remote-ip 0.0.0.0/0 ${sg.ID}`);

  const consoleLog = (server: string): Promise<string> => os.run(`console log show ${server}`);
  const withConsole = async <T>(server: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const log = await consoleLog(server).catch((e) => `(no console log: ${(e as Error).message})`);
      throw new Error(`${(err as Error).message}\n${server}'s console:\n${log.slice(-4000)}`);
    }
  };
  const ssh = (fip: string, command: string): Promise<{ ok: boolean; out: string }> => g.ssh(keyFile, fip, command, 60_000);
  /** The output of `command` run in the guest once SSH on `fip` answers. */
  const sshAnswer = (server: string, fip: string, command: string): Promise<string> => withConsole(server, async () => {
    let last = { ok: false, out: '' };
    await until(async () => (last = await ssh(fip, command)).ok, `SSH to ${server} on ${fip}`, BOOT_MS)
      .catch((err: Error) => { throw new Error(`${err.message}; ssh said: ${last.out}`); });
    return last.out;
  });
  const status = async (server: string): Promise<JsonRecord> => os.json(`server show ${server}`);
  const waitStatus = async (server: string, want: string): Promise<void> => {
    let s: JsonRecord = {};
    await until(async () => (s = await status(server)).status === want || s.status === 'ERROR', `${server} ${want}`, BOOT_MS);
    assert.equal(s.status, want, JSON.stringify(s.fault));
  };
  const newServer = async (name: string, imageName: string): Promise<{ id: string; fip: string }> => {
    const server = await step(`server create --wait ${name}`, () =>
      os.json(`server create --image ${imageName} --flavor m1.tiny --network private --key-name k --wait ${name}`, BOOT_MS));
    assert.equal(server.status, 'ACTIVE', JSON.stringify(server.fault));
    const fip = (await os.json(`floating ip create ext-${tag}`)).floating_ip_address as string;
    await os.run(`server add floating ip ${name} ${fip}`);
    return { id: server.id, fip };
  };

  // vm1: created, on a floating IP, answering SSH from the outside
  const vm1 = await newServer('vm1', 'nubo-guest');
  const hello = await step('vm1 ACTIVE to SSH answering', () => sshAnswer('vm1', vm1.fip, 'echo "guest $(hostname)"; ip -4 -o addr show dev eth0'));
  assert.match(hello, /^guest vm1$/m);
  const log = await consoleLog('vm1');
  assert.match(log, /nubo-init: \[[\d.]+\] userspace started/, 'the console log shows the boot');
  assert.match(log, /metadata from 169\.254\.169\.254/);
  assert.match(log, /1 SSH key\(s\) for root/);

  // reboot, stop and start: SSH answers again each time, the guest's RAM is new and its root file system (on its disk) kept
  const restarted = async (what: string, act: () => Promise<void>, disk: 'kept' | 'new' = 'kept'): Promise<void> => {
    assert.equal((await ssh(vm1.fip, `echo ${tag} > /run/alive && echo "${what}" > /root/kept && sync && cat /run/alive`)).out, tag);
    await step(what, act);
    const out = await step(`${what}: to SSH answering`, () => sshAnswer('vm1', vm1.fip, 'cat /run/alive 2>/dev/null || echo fresh; cat /root/kept 2>/dev/null || echo none'));
    assert.equal(out, `fresh\n${disk === 'kept' ? what : 'none'}`, `vm1 started again on ${what}, its disk ${disk}`);
  };
  await restarted('server reboot --wait', async () => { await os.run('server reboot --wait vm1', BOOT_MS); });
  await restarted('server reboot --hard --wait', async () => { await os.run('server reboot --hard --wait vm1', BOOT_MS); });
  await restarted('server stop, server start', async () => {
    await os.run('server stop vm1');
    await waitStatus('vm1', 'SHUTOFF');
    assert.equal((await ssh(vm1.fip, 'true')).ok, false, 'a stopped guest answers no SSH');
    await os.run('server start vm1');
    await waitStatus('vm1', 'ACTIVE');
  });

  assert.equal((await consoleLog('vm1')).match(/userspace started/g)?.length, 4, 'the console log holds the four boots');
  // suspended and resumed: the same RAM, so the file in /run is still there
  assert.equal((await ssh(vm1.fip, `echo ${tag} > /run/alive && cat /run/alive`)).out, tag);
  await step('server suspend, server resume', async () => {
    await os.run('server suspend vm1');
    await waitStatus('vm1', 'SUSPENDED');
    await os.run('server resume vm1');
    await waitStatus('vm1', 'ACTIVE');
  });
  assert.equal(await sshAnswer('vm1', vm1.fip, 'cat /run/alive'), tag, 'vm1 resumed where it was');
  const shown = await os.json('server show vm1');
  assert.match(JSON.stringify(shown.addresses), new RegExp(vm1.fip.replace(/\./g, '\\.')), `server show lists the floating IP: ${JSON.stringify(shown.addresses)}`);
  const events = (await os.json<JsonRecord[]>('server event list vm1')).map((e) => e.Action);
  for (const action of ['create', 'reboot', 'stop', 'start', 'suspend', 'resume']) assert.ok(events.includes(action), `server event list has ${action}: ${events}`);

  // a snapshot, and a second server booted from it
  const snap = await step('server image create --wait', () => os.json(`server image create --name snap-${tag} --wait vm1`, BOOT_MS));
  const snapImage = await os.json(`image show ${snap.id}`);
  assert.equal(snapImage.status, 'active');
  // as Nova's snapshots: the instance's image properties are inherited (the kernel and initramfs to boot it with among them)
  assert.equal(snapImage.properties?.kernel_id, kernelImage.id, JSON.stringify(snapImage));
  assert.equal(snapImage.properties?.ramdisk_id, ramdiskImage.id);
  assert.equal(snapImage.properties?.image_type, 'snapshot');
  assert.equal(snapImage.properties?.instance_uuid, vm1.id);
  const vm2 = await newServer('vm2', `snap-${tag}`);
  assert.match(await step('vm2 (from the snapshot) ACTIVE to SSH answering', () => sshAnswer('vm2', vm2.fip, 'echo "guest $(hostname)"')), /^guest vm2$/m);
  assert.equal((await ssh(vm2.fip, 'cat /root/kept')).out, 'server stop, server start', 'the snapshot holds vm1\'s root file system');

  // a volume: a file system and a file on vm1, moved to vm2 and read back there
  const volume = await os.json(`volume create --size 1 data-${tag}`);
  const volumeStatus = async (want: string): Promise<void> => {
    let v: JsonRecord = {};
    await until(async () => ['error', want].includes((v = await os.json(`volume show ${volume.id}`)).status), `volume ${want}`, 60_000);
    assert.equal(v.status, want);
  };
  await volumeStatus('available');
  await os.run(`server add volume vm1 ${volume.id}`);
  await volumeStatus('in-use');
  const device = (await os.json<JsonRecord[]>('server volume list vm1'))[0]?.Device as string;
  assert.equal(device, '/dev/vdb');
  const write = await sshAnswer('vm1', vm1.fip, `test -b ${device} && mke2fs -q ${device} && mount ${device} /mnt && echo ${g.secret} > /mnt/f && umount /mnt && sync && echo written`);
  assert.match(write, /^written$/m);
  await os.run(`server remove volume vm1 ${volume.id}`);
  await volumeStatus('available');
  assert.equal((await ssh(vm1.fip, `test -b ${device} && echo present || echo gone`)).out, 'gone', 'the disk left vm1');
  await os.run(`server add volume vm2 ${volume.id}`);
  await volumeStatus('in-use');
  const read = await sshAnswer('vm2', vm2.fip, `test -b /dev/vdb && mount /dev/vdb /mnt && cat /mnt/f && umount /mnt`);
  assert.equal(read, g.secret, 'the file written on vm1 is read on vm2');
  assert.match(await consoleLog('vm2'), /nubo-init: disk \/dev\/vdb add/);
  const attached = (await os.json(`volume show ${volume.id}`)).attachments;
  assert.equal(attached.length, 1);
  assert.equal(attached[0].server_id, vm2.id);
  // the volume stays across a hard reboot (on QEMU's command line this time)
  await step('server reboot --hard --wait vm2 with the volume', () => os.run('server reboot --hard --wait vm2', BOOT_MS));
  assert.equal(await sshAnswer('vm2', vm2.fip, 'mount /dev/vdb /mnt && cat /mnt/f && umount /mnt'), g.secret, 'the volume is there after the reboot');

  // and after the volume is detached from a stopped server, attached again while it is off, and the server started
  await os.run('server stop vm2');
  await waitStatus('vm2', 'SHUTOFF');
  await os.run(`server remove volume vm2 ${volume.id}`);
  await volumeStatus('available');
  await os.run(`server add volume vm2 ${volume.id}`);
  await volumeStatus('in-use');
  await os.run('server start vm2');
  await waitStatus('vm2', 'ACTIVE');
  assert.equal(await sshAnswer('vm2', vm2.fip, 'mount /dev/vdb /mnt && cat /mnt/f && umount /mnt'), g.secret, 'the volume is there after the start');

  // rebuilt from the image: a new root disk, the same server, SSH again
  await restarted('server rebuild --wait', async () => { await os.run('server rebuild --image nubo-guest --wait vm1', BOOT_MS); }, 'new');
  assert.match(await sshAnswer('vm1', vm1.fip, 'echo "guest $(hostname)"'), /^guest vm1$/m);

  // the CLI takes it all down: a server deleted lets go of its volume; no QEMU is left
  await os.run('server delete --wait vm1 vm2', BOOT_MS);
  await volumeStatus('available');
  assert.deepEqual((await os.json(`volume show ${volume.id}`)).attachments, []);
  await os.run(`volume delete ${volume.id}`);
  await os.run(`image delete ${snap.id}`);
  assert.deepEqual(await g.qemuPids([vm1.id, vm2.id]), [], 'no QEMU of the servers is left');
});
