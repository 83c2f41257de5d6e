/**
 * The programs data-plane tests need: the first one not on PATH, said with the Debian package
 * that provides it (the reason a test gives when it is skipped). Test support only.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian packages by program (as .ci/run installs them). */
const PACKAGES: Record<string, string> = {
  dnsmasq: 'dnsmasq-base',
  busybox: 'busybox-static',
  'iptables-restore': 'iptables',
  'iptables-save': 'iptables',
  conntrack: 'conntrack',
  ipset: 'ipset',
  nft: 'nftables',
  openstack: 'python3-openstackclient',
  radvd: 'radvd',
};

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).some((dir) => {
    try { accessSync(join(dir, program), constants.X_OK); return true; } catch { return false; }
  });
}

/** "X is not installed (Debian P)" for the first program of `programs` not on PATH; undefined when all are. */
export function missingTool(programs: readonly string[]): string | undefined {
  const missing = programs.find((p) => !onPath(p));
  if (!missing) return undefined;
  return `${missing} is not installed${PACKAGES[missing] ? ` (Debian ${PACKAGES[missing]})` : ''}`;
}
