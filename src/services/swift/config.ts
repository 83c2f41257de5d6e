/**
 * Configuration of object storage, grouped as Swift's files are: [swift] (swift.conf and the
 * all-in-one layout: where rings, builders and devices live), [swift_hash] (swift.conf's
 * [swift-hash]), [proxy_server] (proxy-server.conf with its keystoneauth filter and the
 * constraints of swift.conf), and [object_server], [container_server], [account_server]
 * (each server's own listener), and the consistency daemons' sections of those files:
 * [object_replicator], [object_reconstructor], [object_auditor], [container_replicator], [account_replicator],
 * [container_sync], [account_reaper].
 */
import { defineGroup, opt } from '../../common/config/index.js';

export const swiftGroup = defineGroup('swift', 'Object storage (Swift): rings, devices and the all-in-one layout', {
  swift_dir: opt.str('', 'Directory of the ring builders and rings (Swift\'s /etc/swift). Empty: <data_dir>/swift.'),
  devices: opt.str('', 'Directory holding one directory per storage device (Swift\'s devices = /srv/node). Empty: <data_dir>/swift/node.'),
  all_in_one_devices: opt.list(['d1', 'd2', 'd3'],
    'Devices of this host that Nubo puts in the rings on first start when no ring exists yet (one zone each), and whose address in the rings ' +
    'follows the storage servers\' ports on every start. Empty: the rings are the operator\'s (built with nubo ring).'),
  all_in_one_part_power: opt.int(10, 'Partition power of the rings built on first start.', { min: 0, max: 24 }),
  all_in_one_replicas: opt.int(3, 'Replicas of the rings built on first start.', { min: 1, max: 10 }),
  all_in_one_min_part_hours: opt.int(1, 'min_part_hours of the rings built on first start.', { min: 0 }),
  storage_policies: opt.list([], 'Erasure-coded storage policies besides Policy-0 (swift.conf [storage-policy:<index>] with policy_type = erasure_coding), each ' +
    '<index>:<name>:erasure_coding:liberasurecode_rs_vand:<ec_num_data_fragments>:<ec_num_parity_fragments>[:<ec_object_segment_size>, default 1048576]; ' +
    'its objects are on the ring object-<index> (data + parity fragments replicas), built by nubo ring or, in the all-in-one layout, on first start when there are devices enough.'),
  ring_check_interval: opt.float(1, 'Seconds between checks of the ring files for a change (Swift\'s reload_time).', { min: 0 }),
});

export const swiftHashGroup = defineGroup('swift_hash', 'The cluster\'s path hash salt (swift.conf [swift-hash]); keep it secret and never change it', {
  swift_hash_path_prefix: opt.str('', 'Prefix mixed into every path hash. Empty (with an empty suffix): generated on first start and kept in <swift_dir>/hash.conf.', { secret: true }),
  swift_hash_path_suffix: opt.str('', 'Suffix mixed into every path hash. Empty (with an empty prefix): generated on first start and kept in <swift_dir>/hash.conf.', { secret: true }),
});

export const proxyServerGroup = defineGroup('proxy_server', 'The Swift proxy (proxy-server.conf, its keystoneauth filter and the constraints)', {
  reseller_prefix: opt.str('AUTH_', 'Accounts served: <reseller_prefix><project_id> (keystoneauth).'),
  operator_roles: opt.list(['admin', 'member'], 'Roles that make a user of a project the owner of its account (keystoneauth).'),
  reseller_admin_role: opt.str('ResellerAdmin', 'Role that may act on every account (keystoneauth).'),
  account_autocreate: opt.bool(true, 'Create an account on its owner\'s first write (and show a missing one as empty).'),
  allow_account_management: opt.bool(false, 'Let the reseller admin create (PUT) and delete (DELETE) accounts; a deleted account\'s data is removed by the account reaper.'),
  node_timeout: opt.float(10, 'Seconds to wait for a storage server\'s answer or next chunk.', { min: 0.1 }),
  conn_timeout: opt.float(0.5, 'Seconds to wait for a connection to a storage server.', { min: 0.01 }),
  client_timeout: opt.float(60, 'Seconds a client may pause while it sends or reads an object body (the storage servers wait as long).', { min: 0.1 }),
  recheck_container_existence: opt.float(1, 'Seconds a container\'s existence is remembered before object requests check it again.', { min: 0 }),
  max_file_size: opt.int(5368709122, 'Largest object in bytes (constraints max_file_size).', { min: 1 }),
  max_meta_name_length: opt.int(128, 'Longest metadata name.', { min: 1 }),
  max_meta_value_length: opt.int(256, 'Longest metadata value.', { min: 1 }),
  max_meta_count: opt.int(90, 'Most metadata items of one account, container or object.', { min: 1 }),
  max_meta_overall_size: opt.int(4096, 'Most bytes of metadata names and values together.', { min: 1 }),
  max_object_name_length: opt.int(1024, 'Longest object name in bytes.', { min: 1 }),
  max_container_name_length: opt.int(256, 'Longest container name in bytes.', { min: 1 }),
  max_account_name_length: opt.int(256, 'Longest account name in bytes.', { min: 1 }),
  container_listing_limit: opt.int(10000, 'Most objects of one container listing.', { min: 1 }),
  account_listing_limit: opt.int(10000, 'Most containers of one account listing.', { min: 1 }),
  cors_allow_origin: opt.list([], 'Origins allowed to make CORS requests to every container, besides those of its X-Container-Meta-Access-Control-Allow-Origin.'),
  cors_expose_headers: opt.list([], 'Headers exposed to CORS requests (Access-Control-Expose-Headers) besides the simple response headers, Swift\'s own and the container\'s.'),
  strict_cors_mode: opt.bool(true, 'Answer CORS requests of an origin the container does not allow without CORS headers.'),
  symloop_max: opt.int(2, 'Symlinks a GET or HEAD follows one after the other at most (the symlink filter\'s symloop_max).', { min: 1 }),
  container_sync_allow_full_urls: opt.bool(true, 'Let X-Container-Sync-To be a full URL (on one of [container_server] allowed_sync_hosts), not only //realm/cluster/account/container (the container_sync filter\'s allow_full_urls).'),
  container_sync_current: opt.str('', 'This cluster\'s //REALM/CLUSTER in <swift_dir>/container-sync-realms.conf, marked current in /info (the container_sync filter\'s current).'),
  expirer_interval: opt.float(300, 'Seconds between passes of the object expirer (objects past their X-Delete-At, queued in the hidden account .expiring_objects); 0 turns it off.', { min: 0 }),
});

const serverGroup = (name: string, kind: string, port: number) => defineGroup(name, `The ${kind} server (${kind}-server.conf)`, {
  bind_ip: opt.str('127.0.0.1', `Address the ${kind} server listens on (the proxies reach it there).`),
  bind_port: opt.int(0, `Port of the ${kind} server (Swift uses ${port}). 0: any free port; with all_in_one_devices the rings follow it.`, { min: 0, max: 65535 }),
});

export const objectServerGroup = defineGroup('object_server', 'The object server (object-server.conf) and its object-updater', {
  ...serverGroup('object_server', 'object', 6200).opts,
  updater_interval: opt.float(30, 'Seconds between the object-updater\'s sweeps of async_pending/ (container updates to send again); 0 turns it off.', { min: 0 }),
});
export const containerServerGroup = defineGroup('container_server', 'The container server (container-server.conf)', {
  ...serverGroup('container_server', 'container', 6201).opts,
  allowed_sync_hosts: opt.list(['127.0.0.1'], 'Hosts an X-Container-Sync-To given as a full URL may name (container sync; //realm/cluster/... values go through <swift_dir>/container-sync-realms.conf).'),
});
export const accountServerGroup = serverGroup('account_server', 'account', 6202);

export const s3apiGroup = defineGroup('s3api', 'The S3 API (the s3api and s3token middlewares of the proxy), on a port of its own', {
  bind_ip: opt.str('', 'Address the S3 API listens on. Empty: the host of [DEFAULT] bind.'),
  bind_port: opt.int(0, 'Port of the S3 API (the catalog\'s `s3` endpoint). 0: the port after [DEFAULT] bind\'s (8881 with the default bind), or any free port when that one is taken.', { min: 0, max: 65535 }),
  public_url: opt.url('', 'URL clients reach the S3 API at (the catalog\'s `s3` endpoint). Empty: http://<bind address>:<port>.'),
  location: opt.str('us-east-1', 'The region S3 clients sign for (SigV4 scope) and GetBucketLocation answers.'),
  storage_domain: opt.list([], 'Domains of virtual-hosted style requests: a Host <bucket>.<domain> names the bucket. Empty: path-style only.'),
  allowable_clock_skew: opt.int(900, 'Seconds a signed request\'s time may differ from the server\'s.', { min: 1 }),
  max_bucket_listing: opt.int(1000, 'Most keys of one ListObjects answer.', { min: 1 }),
  max_parts_listing: opt.int(1000, 'Most parts of one ListParts answer.', { min: 1 }),
  max_multi_delete_objects: opt.int(1000, 'Most keys of one DeleteObjects request.', { min: 1 }),
  max_upload_part_num: opt.int(1000, 'Highest part number of a multipart upload.', { min: 1, max: 10000 }),
  min_segment_size: opt.int(5242880, 'Smallest part (but the last) of a multipart upload, in bytes.', { min: 1 }),
});

const WEEK = 604800;

/** What every consistency daemon has: how often it runs, on which devices, and its timeouts to other nodes. */
const daemonOpts = (what: string, interval: number) => ({
  interval: opt.float(interval, `Seconds from the start of one ${what} pass to the next (0 turns the daemon off).`, { min: 0 }),
  devices: opt.list([], `Only these devices of this host (upstream's --devices); empty: every device of the ring found under [swift] devices.`),
  node_timeout: opt.float(10, 'Seconds to wait for another node\'s answer.', { min: 0.1 }),
  conn_timeout: opt.float(0.5, 'Seconds to wait for a connection to another node.', { min: 0.01 }),
});

export const objectReplicatorGroup = defineGroup('object_replicator', 'The object replicator (object-server.conf [object-replicator])', {
  ...daemonOpts('replication', 30),
  concurrency: opt.int(1, 'Partitions replicated at once.', { min: 1 }),
  reclaim_age: opt.int(WEEK, 'Seconds a tombstone (.ts) is kept before it is removed; the object server\'s REPLICATE reclaims with it too.', { min: 0 }),
});

export const objectReconstructorGroup = defineGroup('object_reconstructor', 'The object reconstructor of erasure-coded policies (object-server.conf [object-reconstructor])', {
  ...daemonOpts('reconstruction', 30),
});

export const objectAuditorGroup = defineGroup('object_auditor', 'The object auditor (object-server.conf [object-auditor])', {
  ...daemonOpts('audit', 30),
  files_per_second: opt.float(20, 'Most objects checked per second (0: no limit).', { min: 0 }),
  bytes_per_second: opt.float(10_000_000, 'Most bytes read per second (0: no limit).', { min: 0 }),
});

const dbReplicatorGroup = (name: string, kind: string) => defineGroup(name, `The ${kind} replicator (${kind}-server.conf [${kind}-replicator])`, {
  ...daemonOpts('replication', 30),
  concurrency: opt.int(8, 'Databases replicated at once.', { min: 1 }),
  reclaim_age: opt.int(WEEK, 'Seconds rows of deletes, and deleted databases, are kept.', { min: 0 }),
  per_diff: opt.int(1000, 'Rows sent in one merge_items request; a replica more than this many rows and half behind gets the whole file.', { min: 1 }),
  max_diffs: opt.int(100, 'Most merge_items requests to one replica in one pass.', { min: 1 }),
});
export const containerReplicatorGroup = dbReplicatorGroup('container_replicator', 'container');
export const accountReplicatorGroup = dbReplicatorGroup('account_replicator', 'account');

export const containerSyncGroup = defineGroup('container_sync', 'The container sync daemon (container-server.conf [container-sync])', {
  ...daemonOpts('sync', 300),
  container_time: opt.float(60, 'Seconds one pass spends on one container at most before it moves on to the next.', { min: 1 }),
});

export const accountReaperGroup = defineGroup('account_reaper', 'The account reaper (account-server.conf [account-reaper])', {
  ...daemonOpts('reaping', 3600),
  concurrency: opt.int(25, 'Objects deleted at once.', { min: 1 }),
  delay_reaping: opt.float(0, 'Seconds after an account\'s deletion before its data is reaped.', { min: 0 }),
});

export const swiftGroups = [swiftGroup, swiftHashGroup, proxyServerGroup, objectServerGroup, containerServerGroup, accountServerGroup, s3apiGroup,
  objectReplicatorGroup, objectReconstructorGroup, objectAuditorGroup, containerReplicatorGroup, accountReplicatorGroup, containerSyncGroup, accountReaperGroup];
