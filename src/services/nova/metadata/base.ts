/**
 * An instance's metadata (nova/api/metadata/base.py InstanceMetadata): the EC2-compatible
 * tree (/<version>/meta-data/..., /<version>/user-data) and the OpenStack tree
 * (/openstack/<version>/meta_data.json, network_data.json, vendor_data.json,
 * vendor_data2.json, user_data, password), each item gated by the version it appeared in, and
 * lookup(path) as nova resolves it: paths outside /ec2 and /openstack are EC2 paths.
 */
import { randomBytes } from 'node:crypto';
import type { BlockDeviceMapping, Instance } from '../objects/index.js';
import { ec2IpInfo, networkMetadata, type Ec2IpInfo } from './network-data.js';
import { extractPassword } from './password.js';
import type { JsonObject } from './vendordata.js';
import { EC2_VERSIONS } from './versions.js';

export const FOLSOM = '2012-08-10';
export const GRIZZLY = '2013-04-04';
export const HAVANA = '2013-10-17';
export const LIBERTY = '2015-10-15';
export const NEWTON_ONE = '2016-06-30';
export const NEWTON_TWO = '2016-10-06';
export const OCATA = '2017-02-22';
export const ROCKY = '2018-08-27';
export const VICTORIA = '2020-10-14';
/** Zed's OpenStack metadata versions. */
export const OPENSTACK_VERSIONS = [FOLSOM, GRIZZLY, HAVANA, LIBERTY, NEWTON_ONE, NEWTON_TWO, OCATA, ROCKY, VICTORIA] as const;

export const MIME_TYPE_TEXT_PLAIN = 'text/plain';
export const MIME_TYPE_APPLICATION_JSON = 'application/json';

/** A path that names nothing (404). */
export class InvalidMetadataPath extends Error {}

/** An EC2 tree: dicts of dicts and leaves; `_name` is how a dict lists itself in its parent. */
export interface Ec2Tree {
  [key: string]: Ec2Value;
}
export type Ec2Value = string | number | Buffer | string[] | Ec2Tree;

/** The password item: served by the handler, which may write it (POST). */
export interface PasswordItem {
  kind: 'password';
  current: string | undefined;
  instanceUuid: string;
}

export type MetadataValue = Ec2Value | PasswordItem;

/** What is looked up besides the instance (the record of its key pair, its BDMs, the image's EC2 id). */
export interface InstanceMetadataInput {
  instance: Instance;
  address: string | undefined;
  amiId: string;
  keypair: { name: string; type: string; public_key: string } | undefined;
  bdms: readonly BlockDeviceMapping[];
  dhcpDomain: string;
  vendordataProviders: readonly string[];
  staticVendordata: JsonObject;
  dynamicVendordata: (instance: Instance) => Promise<JsonObject>;
}

const DEFAULT_ROOT_DEV_NAME = '/dev/sda1';
const DEFAULT_MAPPINGS: Ec2Tree = { ami: 'sda1', ephemeral0: 'sda2', root: DEFAULT_ROOT_DEV_NAME, swap: 'sda3' };

/** block_device.instance_block_mapping. */
export function instanceBlockMapping(rootDeviceName: string | null, bdms: readonly BlockDeviceMapping[]): Ec2Tree {
  if (rootDeviceName === null) return { ...DEFAULT_MAPPINGS };
  const mappings: Ec2Tree = { ami: rootDeviceName.replace(/^\/dev\//, ''), root: rootDeviceName };
  const ebs: Array<string | null> = [];
  const blanks: BlockDeviceMapping[] = [];
  for (const bdm of bdms) {
    if (bdm.data.destination_type === 'volume') {
      ebs.push(bdm.data.device_name);
      continue;
    }
    if (bdm.data.source_type === 'blank') blanks.push(bdm);
  }
  ebs.sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0));
  ebs.forEach((d, n) => { mappings[`ebs${n}`] = String(d); });
  const swap = blanks.filter((b) => b.data.guest_format === 'swap');
  if (swap.length) mappings.swap = String(swap[swap.length - 1]!.data.device_name);
  blanks.filter((b) => b.data.guest_format !== 'swap').forEach((b, n) => { mappings[`ephemeral${n}`] = String(b.data.device_name); });
  return mappings;
}

/** posixpath.normpath of an absolute path. */
export function normpath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** base.ec2_md_print: a dict lists its keys (sub-dicts as `key/` or their `_name`), a list its items one a line. */
export function ec2MdPrint(data: Ec2Value): string | Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return data.join('\n');
  if (typeof data === 'object') {
    const lines: string[] = [];
    for (const key of Object.keys(data).sort()) {
      if (key === '_name') continue;
      const v = data[key]!;
      if (typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) lines.push('_name' in v ? String(v._name) : `${key}/`);
      else lines.push(key);
    }
    return lines.join('\n');
  }
  return String(data);
}

/** find_path_in_tree: a leaf or sub-tree; anything else is a KeyError (404). */
function findPathInTree(data: Ec2Value, tokens: readonly string[]): Ec2Value {
  let cur = data;
  for (const t of tokens) {
    if (typeof cur !== 'object' || Array.isArray(cur) || Buffer.isBuffer(cur) || !Object.hasOwn(cur, t)) throw new InvalidMetadataPath(t);
    cur = cur[t]!;
  }
  return cur;
}

const checkVersion = (required: string, requested: string, versions: readonly string[]): boolean => versions.indexOf(requested) >= versions.indexOf(required);
const osVersionAtLeast = (required: string, requested: string): boolean => checkVersion(required, requested, OPENSTACK_VERSIONS);

export class InstanceMetadata {
  /** The MIME type of the last item looked up. */
  mimetype = MIME_TYPE_TEXT_PLAIN;
  readonly userdataRaw: Buffer | undefined;
  readonly password: string | undefined;
  private readonly ipInfo: Ec2IpInfo;

  constructor(private readonly i: InstanceMetadataInput) {
    const userData = i.instance.data.user_data;
    this.userdataRaw = userData !== null && userData !== undefined ? Buffer.from(userData, 'base64') : undefined;
    this.password = extractPassword(i.instance.data.system_metadata) ?? undefined;
    this.ipInfo = ec2IpInfo(i.instance.data.network_info);
  }

  get instance(): Instance {
    return this.i.instance;
  }

  private hostname(): string {
    const h = this.i.instance.data.hostname;
    return this.i.dhcpDomain ? `${h}.${this.i.dhcpDomain}` : h;
  }

  /** get_ec2_metadata. */
  ec2Metadata(requested: string): Ec2Tree {
    const version = requested === 'latest' ? EC2_VERSIONS[EC2_VERSIONS.length - 1]! : requested;
    if (!(EC2_VERSIONS as readonly string[]).includes(version)) throw new InvalidMetadataPath(requested);
    const at = (v: string) => checkVersion(v, version, EC2_VERSIONS);
    const inst = this.i.instance.data;
    const hostname = this.hostname();
    const floating = this.ipInfo.floatingIps[0] ?? '';
    const fixed = this.ipInfo.fixedIps[0] ?? '';
    const meta: Ec2Tree = {
      'ami-id': this.i.amiId,
      'ami-launch-index': inst.launch_index,
      'ami-manifest-path': 'FIXME',
      'instance-id': `i-${inst.id.toString(16).padStart(8, '0')}`,
      hostname,
      'local-ipv4': fixed || (this.i.address ?? ''),
      'reservation-id': inst.reservation_id,
      'security-groups': [...inst.security_groups],
    };
    if (inst.key_name) meta['public-keys'] = { 0: { _name: `0=${inst.key_name}`, 'openssh-key': inst.key_data ?? '' } };
    if (at('2007-01-19')) {
      meta['local-hostname'] = hostname;
      meta['public-hostname'] = hostname;
      meta['public-ipv4'] = floating;
    }
    if (at('2007-08-29')) meta['instance-type'] = inst.flavor.data.name;
    if (at('2007-12-15')) meta['block-device-mapping'] = instanceBlockMapping(inst.root_device_name, this.i.bdms);
    if (at('2008-02-01')) meta.placement = { 'availability-zone': inst.availability_zone ?? '' };
    if (at('2008-09-01')) meta['instance-action'] = 'none';
    const data: Ec2Tree = { 'meta-data': meta };
    if (this.userdataRaw !== undefined) data['user-data'] = this.userdataRaw;
    return data;
  }

  /** _metadata_as_json: meta_data.json of an OpenStack version. */
  private metadataJson(version: string): string {
    const inst = this.i.instance.data;
    const md: JsonObject = { uuid: inst.uuid };
    if (Object.keys(inst.metadata).length) md.meta = { ...inst.metadata };
    if (inst.key_name && this.i.keypair) {
      const k = this.i.keypair;
      md.public_keys = { [k.name]: k.public_key };
      md.keys = [{ name: k.name, type: k.type, data: k.public_key }];
    }
    md.hostname = this.hostname();
    md.name = inst.display_name;
    md.launch_index = inst.launch_index;
    md.availability_zone = inst.availability_zone;
    if (osVersionAtLeast(GRIZZLY, version)) md.random_seed = randomBytes(512).toString('base64');
    if (osVersionAtLeast(LIBERTY, version)) md.project_id = inst.project_id;
    // device tags are recorded by virt drivers that report device metadata; the fake driver reports none
    if (osVersionAtLeast(NEWTON_ONE, version)) md.devices = [];
    // dedicated CPUs come from a NUMA topology with pinned CPUs, which no fake guest has
    if (osVersionAtLeast(VICTORIA, version)) md.dedicated_cpus = [];
    this.mimetype = MIME_TYPE_APPLICATION_JSON;
    return JSON.stringify(md);
  }

  /** _handle_version: what a version directory lists. */
  private versionListing(version: string): string[] {
    const out = ['meta_data.json'];
    if (this.userdataRaw !== undefined) out.push('user_data');
    if (osVersionAtLeast(GRIZZLY, version)) out.push('password');
    if (osVersionAtLeast(HAVANA, version)) out.push('vendor_data.json');
    if (osVersionAtLeast(LIBERTY, version)) out.push('network_data.json');
    if (osVersionAtLeast(NEWTON_TWO, version)) out.push('vendor_data2.json');
    return out;
  }

  private async vendorData(version: string, path: string): Promise<string> {
    if (!osVersionAtLeast(HAVANA, version)) throw new InvalidMetadataPath(path);
    this.mimetype = MIME_TYPE_APPLICATION_JSON;
    if (this.i.vendordataProviders.includes('StaticJSON')) return JSON.stringify(this.i.staticVendordata);
    throw new InvalidMetadataPath(path);
  }

  private async vendorData2(version: string, path: string): Promise<string> {
    if (!osVersionAtLeast(NEWTON_TWO, version)) throw new InvalidMetadataPath(path);
    this.mimetype = MIME_TYPE_APPLICATION_JSON;
    const out: JsonObject = {};
    for (const provider of this.i.vendordataProviders) {
      if (provider === 'StaticJSON') {
        out.static = this.i.staticVendordata;
      } else if (provider === 'DynamicJSON') {
        const values = await this.i.dynamicVendordata(this.i.instance);
        for (const [k, v] of Object.entries(values)) if (!(k in out)) out[k] = v;
      }
    }
    return JSON.stringify(out);
  }

  /** RouteConfiguration.handle_path over the OpenStack tree. */
  private async openstackItem(tokens: readonly string[]): Promise<MetadataValue> {
    if (tokens[0] === 'content') throw new InvalidMetadataPath('content'); // only config drives carry files
    const requested = tokens[0]!;
    const version = requested === 'latest' ? VICTORIA : requested;
    if (!(OPENSTACK_VERSIONS as readonly string[]).includes(version)) throw new InvalidMetadataPath(requested);
    if (tokens.length === 1) return this.versionListing(version);
    const path = tokens.slice(1).join('/');
    switch (path) {
      case 'meta_data.json': return this.metadataJson(version);
      case 'network_data.json': {
        this.mimetype = MIME_TYPE_TEXT_PLAIN;
        return JSON.stringify(networkMetadata(this.i.instance.data.network_info) ?? {});
      }
      case 'vendor_data.json': return this.vendorData(version, path);
      case 'vendor_data2.json': return this.vendorData2(version, path);
      case 'user_data':
        if (this.userdataRaw === undefined) throw new InvalidMetadataPath(path);
        return this.userdataRaw;
      case 'password':
        if (!osVersionAtLeast(GRIZZLY, version)) throw new InvalidMetadataPath(path);
        return { kind: 'password', current: this.password, instanceUuid: this.i.instance.uuid };
      default:
        throw new InvalidMetadataPath(path);
    }
  }

  /** lookup(path); @throws InvalidMetadataPath */
  async lookup(rawPath: string): Promise<MetadataValue> {
    const path = normpath(rawPath);
    this.mimetype = MIME_TYPE_TEXT_PLAIN;
    let tokens = path.split('/').slice(1);
    if (tokens[0] !== 'ec2' && tokens[0] !== 'openstack') tokens = tokens[0] === '' ? ['ec2'] : ['ec2', ...tokens];
    if (tokens.length === 1) {
      if (tokens[0] === 'openstack') {
        const today = new Date().toISOString().slice(0, 10);
        return [...OPENSTACK_VERSIONS.filter((v) => v <= today), 'latest'];
      }
      return [...EC2_VERSIONS, 'latest'];
    }
    if (tokens[0] === 'openstack') return this.openstackItem(tokens.slice(1));
    return findPathInTree(this.ec2Metadata(tokens[1]!), tokens.slice(2));
  }
}
