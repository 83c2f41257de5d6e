/**
 * The files of the guest's userspace, as text: /init (PID 1 until it hands over to busybox
 * init), the inittab, the cloud-init-like boot script that does what cloud-init does for
 * CirrOS, udhcpc's lease script, the ACPI power button handler and the bootloader's
 * configuration. Every step prints "nubo-init: ..." to the serial console (ttyS0, the kernel's
 * console), with the seconds since the kernel started.
 */

/** The kernel modules the guest loads, in an order the init resolves dependencies for at build time. */
export const GUEST_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_net', 'button', 'evdev', 'isofs'] as const;

/**
 * /init, twice. From the initramfs (PID 1 from the kernel): mounts, modules (the list in
 * /etc/nubo/modules, dependencies first), then the root file system, partition 2 of the first
 * disk (/dev/vda2: the boot disk, also a volume booted from; the rescue disk when rescued, the
 * server's own disk being vdb then), mounted and switched to (busybox switch_root frees the
 * initramfs) with /dev, /proc, /sys and /run moved along; without it (an image built before it,
 * a disk that is not this image) the guest runs on from RAM and says so. From the disk
 * ("$1" = nubo-root-disk, the mounts and modules there already): busybox's links. Then mdev
 * and busybox init. The ext4 driver is built into Debian's cloud kernel; virtio_blk has read the
 * partition table by the time its insmod returns, so there is nothing to wait for.
 */
export const INIT = `#!/bin/busybox sh
say() { echo "nubo-init: [$(cut -d' ' -f1 /proc/uptime)] $*"; }
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
if [ "$1" != nubo-root-disk ]; then
  /bin/busybox mount -t proc proc /proc
  /bin/busybox --install -s
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  mkdir -p /dev/pts /run
  mount -t devpts devpts /dev/pts
  mount -t tmpfs tmpfs /run
  say "userspace started"
  while read -r module; do insmod "/lib/modules/$module" 2>/dev/null; done < /etc/nubo/modules
  say "modules loaded"
  mkdir -p /newroot
  if [ -b /dev/vda2 ] && mount -t ext4 /dev/vda2 /newroot 2>/dev/null; then
    if [ -x /newroot/init ] && [ -x /newroot/bin/busybox ]; then
      say "root file system /dev/vda2"
      for d in dev proc sys run; do mount --move "/$d" "/newroot/$d"; done
      exec switch_root /newroot /init nubo-root-disk
    fi
    umount /newroot
  fi
  say "no root file system on /dev/vda2: running from RAM (what is written is lost at reboot)"
else
  /bin/busybox --install -s
fi
mkdir -p /tmp /var/log /root/.ssh /etc/dropbear /mnt
mdev -d
exec /sbin/init
`;

/**
 * busybox init: acpid first; then, at once and side by side, the cloud-init steps, dropbear
 * (other key types made when a client asks for one, -R) and a getty on the console. dropbear
 * listens while the cloud-init steps run, as sshd does beside cloud-init; root has no key to
 * log in with until they wrote it.
 */
export const INITTAB = `::sysinit:/sbin/acpid
::once:/etc/nubo/cloud-init
::respawn:/usr/sbin/dropbear -F -R -p 22
ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/echo "nubo-init: shutting down"
::shutdown:/bin/umount -a -r
`;

/**
 * What cloud-init does for CirrOS: DHCP on eth0, metadata from the config drive (label
 * config-2) or http://169.254.169.254/openstack/latest/, hostname, root's SSH keys, user_data
 * run when it is a script (#!). (busybox 1.35's wget crashes with -T: the timeout applet
 * bounds it instead.) dropbear's host key is made first, in the background, unless the root disk
 * keeps a good one from an earlier boot: under TCG its generation takes a good part of a second,
 * which the waits for the DHCP server and the metadata service absorb instead of the first SSH
 * connection (dropbear -R would make it then).
 */
export const CLOUD_INIT = `#!/bin/sh
say() { echo "nubo-init: [$(cut -d' ' -f1 /proc/uptime)] $*"; }
key=/etc/dropbear/dropbear_ed25519_host_key
{ dropbearkey -y -f $key >/dev/null 2>&1 || { rm -f $key; dropbearkey -t ed25519 -f $key >/dev/null 2>&1; }; } &
ip link set lo up
hostname nubo-guest
meta=
user_data=
cfg=$(findfs LABEL=config-2 2>/dev/null)
if [ -z "$cfg" ]; then
  for dev in /dev/sr0 /dev/vd[b-z]; do
    [ -b "$dev" ] && mount -t iso9660 -o ro "$dev" /mnt 2>/dev/null || continue
    [ -d /mnt/openstack ] && cfg=$dev
    umount /mnt
    [ -n "$cfg" ] && break
  done
fi
if [ -n "$cfg" ] && mkdir -p /mnt/config && mount -t iso9660 -o ro "$cfg" /mnt/config; then
  say "config drive $cfg"
  meta=$(cat /mnt/config/openstack/latest/meta_data.json 2>/dev/null)
  [ -f /mnt/config/openstack/latest/user_data ] && cp /mnt/config/openstack/latest/user_data /run/user_data && user_data=/run/user_data
fi
if [ -e /sys/class/net/eth0 ]; then
  say "eth0: DHCP"
  udhcpc -i eth0 -s /etc/nubo/udhcpc.script -t 10 -T 1 -A 5 -b -p /var/run/udhcpc.eth0.pid -x hostname:nubo-guest
  if [ -z "$meta" ]; then
    for try in 1 2 3 4 5; do
      meta=$(timeout 10 wget -q -O - http://169.254.169.254/openstack/latest/meta_data.json 2>/dev/null) && break
      sleep 1
    done
    if [ -n "$meta" ]; then
      say "metadata from 169.254.169.254"
      timeout 10 wget -q -O /run/user_data http://169.254.169.254/openstack/latest/user_data 2>/dev/null && user_data=/run/user_data
    else
      say "no metadata service answered"
    fi
  fi
else
  say "no network interface"
fi
if [ -n "$meta" ]; then
  name=$(echo "$meta" | sed -n 's/.*"hostname": *"\\([^"]*\\)".*/\\1/p')
  [ -n "$name" ] && hostname "\${name%%.*}" && say "hostname \${name%%.*}"
  echo "$meta" | awk '{ if (match($0, /"public_keys": *[{][^}]*[}]/)) { s = substr($0, RSTART, RLENGTH); while (match(s, /"(ssh-|ecdsa-|sk-)[^"]*"/)) { k = substr(s, RSTART + 1, RLENGTH - 2); sub(/\\\\n$/, "", k); print k; s = substr(s, RSTART + RLENGTH) } } }' > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
  say "$(grep -c . /root/.ssh/authorized_keys) SSH key(s) for root"
fi
if [ -n "$user_data" ] && [ "$(head -c 2 "$user_data")" = "#!" ]; then
  chmod +x "$user_data"
  say "running user_data"
  "$user_data"
  say "user_data exited with $?"
fi
say "up: $(hostname), $(ip -4 -o addr show dev eth0 2>/dev/null | awk '{print $4}')"
`;

/** udhcpc's lease script: address, MTU, routes (the router and classless static routes, e.g. to 169.254.169.254), DNS. */
export const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig)
    ip -4 addr flush dev "$interface"
    ip link set "$interface" up
    ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
    for r in $router; do ip route replace default via "$r" dev "$interface"; break; done
    if [ -n "$staticroutes" ]; then
      set -- $staticroutes
      while [ $# -ge 2 ]; do ip route replace "$1" via "$2" dev "$interface"; shift 2; done
    fi
    : > /etc/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
    [ -n "$domain" ] && echo "search $domain" >> /etc/resolv.conf
    echo "nubo-init: [$(cut -d' ' -f1 /proc/uptime)] $interface $ip/\${mask:-24} router \${router:-none}"
    ;;
esac
exit 0
`;

/**
 * The commands CirrOS has and busybox lacks, as far as Tempest's scenario tests call them over
 * SSH (tempest/common/utils/linux/remote_client.py): `curl URL` and `curl -X POST -d DATA URL`
 * (the metadata service) by busybox wget; `sudo CMD` (root already); util-linux's `blkid -L LABEL`
 * (the config drive) by findfs; `lsblk -lb --nodeps` (whole disks, bytes, util-linux's columns) from
 * /sys/block; `mke2fs -t ext4 DEV` by busybox's mke2fs, which makes ext2 and
 * knows no -t (the kernel's ext4 driver mounts it). In /usr/bin, ahead of busybox's /sbin links
 * in every PATH dropbear gives.
 */
export const CIRROS_COMMANDS: Record<string, string> = {
  'usr/bin/curl': `#!/bin/sh
method= data= out=- url=
while [ $# -gt 0 ]; do
  case "$1" in
    -X|--request) method=$2; shift 2 ;;
    -d|--data) data=$2; shift 2 ;;
    -o|--output) out=$2; shift 2 ;;
    -s|-S|-f|-L|-k|--silent|--fail|--location|--insecure) shift ;;
    -*) echo "curl: $1: not supported by this guest's curl" >&2; exit 2 ;;
    *) url=$1; shift ;;
  esac
done
[ -n "$url" ] || { echo "curl: no URL specified" >&2; exit 2; }
case "\${method:-\${data:+POST}}" in
  ''|GET) exec wget -q -O "$out" "$url" ;;
  POST) exec wget -q -O "$out" --post-data "$data" "$url" ;;
  *) echo "curl: method $method: not supported by this guest's curl" >&2; exit 2 ;;
esac
`,
  'usr/bin/sudo': `#!/bin/sh
while [ $# -gt 0 ]; do
  case "$1" in -n|-E|-H|-i|-s) shift ;; -u) shift 2 ;; --) shift; break ;; *) break ;; esac
done
exec "$@"
`,
  'usr/bin/blkid': `#!/bin/sh
label= uuid=
while [ $# -gt 0 ]; do
  case "$1" in -L) label=$2; shift 2 ;; -U) uuid=$2; shift 2 ;; -o) shift 2 ;; *) shift ;; esac
done
[ -n "$label" ] && exec findfs "LABEL=$label"
[ -n "$uuid" ] && exec findfs "UUID=$uuid"
echo "blkid: only -L LABEL and -U UUID in this guest" >&2
exit 2
`,
  'usr/bin/lsblk': `#!/bin/sh
fmt='%-10s %8s %2s %14s %2s %-4s %s\\n'
printf "$fmt" NAME MAJ:MIN RM SIZE RO TYPE MOUNTPOINT
for d in /sys/block/*; do
  n=\${d##*/}
  case "$n" in loop*|ram*) continue ;; esac
  type=disk; case "$n" in sr*) type=rom ;; esac
  mp=$(awk -v dev="/dev/$n" '$1 == dev { print $2; exit }' /proc/mounts)
  printf "$fmt" "$n" "$(cat "$d/dev")" "$(cat "$d/removable")" "$(($(cat "$d/size") * 512))" "$(cat "$d/ro")" "$type" "$mp"
done
`,
  'usr/bin/mke2fs': `#!/bin/sh
n=$#
while [ "$n" -gt 0 ]; do
  a=$1; shift; n=$((n - 1))
  if [ "$a" = -t ]; then shift; n=$((n - 1)); else set -- "$@" "$a"; fi
done
exec /bin/busybox mke2fs "$@"
`,
};

/** mdev (a daemon on the kernel's uevents: Debian's kernel has no uevent helper) tells the console of disks plugged in or out later (volumes). */
export const MDEV_CONF = `vd[a-z]+ 0:0 660 *echo "nubo-init: disk /dev/$MDEV $ACTION" > /dev/console
`;

/** busybox acpid runs /etc/acpi/PWRF/* on the power button (QMP system_powerdown). */
export const POWER_BUTTON = `#!/bin/sh
echo "nubo-init: power button pressed" > /dev/console
poweroff
`;

export const PASSWD = 'root:x:0:0:root:/root:/bin/sh\n';
/** Root's password is locked ("*": no password logs in) until user_data sets one; SSH keys do. */
export const SHADOW = 'root:*:19000:0:99999:7:::\n';
export const GROUP = 'root:x:0:\n';
export const SHELLS = '/bin/sh\n/bin/ash\n';

/** syslinux.cfg: boot the kernel and initramfs at once, console on the first serial port. */
export const SYSLINUX_CFG = `DEFAULT nubo
PROMPT 0
TIMEOUT 0
LABEL nubo
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=ttyS0,115200 quiet panic=-1
`;
