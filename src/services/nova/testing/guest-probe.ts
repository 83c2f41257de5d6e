/**
 * For tests of rescue and interface hot-plug with a real guest: a user_data script (run at
 * every boot from the config drive or the metadata service) that tells the serial console what
 * the guest sees, and readers of the console log. The script prints the mark in the last sector
 * of vda and of vdb ("probe: vda mark=[...] sectors=N"), marks vda "nubo-original" on the first
 * boot (no disk carries the mark yet), and reports every change of its NICs from a loop in the
 * background ("probe: nics eth0=<mac> eth1=<mac>").
 */

export const PROBE_MARK = 'nubo-original';

export const PROBE_USER_DATA = `#!/bin/sh
mark() { [ -b /dev/$1 ] && dd if=/dev/$1 bs=512 skip=$(( $(cat /sys/block/$1/size) - 1 )) count=1 2>/dev/null | head -c 13 | tr -dc 'a-z-'; }
for d in vda vdb; do echo "probe: $d mark=[$(mark $d)] sectors=$(cat /sys/block/$d/size)"; done
if [ "$(mark vda)" != ${PROBE_MARK} ] && [ "$(mark vdb)" != ${PROBE_MARK} ]; then
  printf ${PROBE_MARK} | dd of=/dev/vda bs=512 seek=$(( $(cat /sys/block/vda/size) - 1 )) conv=notrunc,sync 2>/dev/null && sync && echo "probe: marked vda"
fi
(last=; while :; do n=$(for i in /sys/class/net/eth*; do [ -e "$i" ] && printf '%s=%s ' "\${i##*/}" "$(cat "$i/address")"; done); [ "$n" != "$last" ] && echo "probe: nics $n" > /dev/console && last=$n; sleep 1; done) &
`;

/** The guest's last report of its NICs ("eth0=<mac> eth1=<mac>"), '' before the first. */
export function reportedNics(consoleLog: string): string {
  return [...consoleLog.matchAll(/probe: nics ([^\r\n]*)/g)].pop()?.[1]?.trim() ?? '';
}

/** The console log from the last boot's userspace on. */
export function lastBoot(consoleLog: string): string {
  return consoleLog.slice(consoleLog.lastIndexOf('userspace started'));
}

/** The mark the last boot saw on `disk` (vda, vdb), undefined when it printed none. */
export function diskMark(consoleLog: string, disk: 'vda' | 'vdb'): { mark: string; sectors: number } | undefined {
  const m = new RegExp(`probe: ${disk} mark=\\[([a-z-]*)\\] sectors=(\\d+)`).exec(lastBoot(consoleLog));
  return m ? { mark: m[1]!, sectors: Number(m[2]) } : undefined;
}
