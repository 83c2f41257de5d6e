/**
 * Swift's hash_path (swift/common/utils): the md5 of
 * `<swift_hash_path_prefix>/<account>[/<container>[/<object>]]<swift_hash_path_suffix>`, which
 * places a name on a ring partition and names its hash directory on a device.
 */
import { hash } from 'node:crypto';

/** The cluster's secret salt ([swift_hash] of swift.conf). */
export interface HashConf {
  prefix: string;
  suffix: string;
}

/** The raw 16-byte digest of a path. */
export function hashPathRaw(conf: HashConf, account: string, container?: string, object?: string): Buffer {
  // crypto.hash: one call, no Hash object (a few are made per object request)
  return hash('md5', pathString(conf, account, container, object), 'buffer');
}

function pathString(conf: HashConf, account: string, container?: string, object?: string): string {
  if (object !== undefined && container === undefined) throw new Error('container is required if object is provided');
  const parts = [account];
  if (container !== undefined && container !== '') parts.push(container);
  if (object !== undefined && object !== '') parts.push(object);
  return `${conf.prefix}/${parts.join('/')}${conf.suffix}`;
}

/** The hex digest of a path (the hash directory name of an object, the name of a container's database). */
export function hashPath(conf: HashConf, account: string, container?: string, object?: string): string {
  return hash('md5', pathString(conf, account, container, object), 'hex');
}
