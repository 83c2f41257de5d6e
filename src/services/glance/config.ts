/**
 * Configuration of the image service, grouped as in glance-api.conf: [image] holds Glance's
 * [DEFAULT] and [image_format] options, [glance_store] the stores, [import_filtering_opts] the
 * web-download URL filter and [image_quota] the defaults used when Keystone has no limit.
 */
import { defineGroup, opt } from '../../common/config/index.js';

export const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'] as const;
export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;
export const IMPORT_METHODS = ['glance-direct', 'web-download', 'copy-image'] as const;

export const imageGroup = defineGroup('image', 'Image service (Glance)', {
  hashing_algorithm: opt.str('sha512', 'Algorithm of os_hash_value (a hashlib name: sha512, sha256, sha3_512, ...).'),
  disk_formats: opt.list([...DISK_FORMATS], "Values accepted for an image's disk_format."),
  container_formats: opt.list([...CONTAINER_FORMATS], "Values accepted for an image's container_format."),
  require_image_format_match: opt.bool(true, 'Refuse uploads whose content does not match disk_format (or fails the safety checks).'),
  vmdk_allowed_types: opt.list(['streamOptimized', 'monolithicSparse'], 'VMDK create types accepted in uploads.'),
  gpt_safety_checks_nonfatal: opt.list([], 'GPT safety checks (mbr, gptmbr) that only warn.'),
  enabled_import_methods: opt.list([...IMPORT_METHODS], 'Interoperable import methods offered (glance-direct, web-download, copy-image).'),
  staging_dir: opt.str('', 'Directory holding staged image data (glance node_staging_uri). Empty: <data_dir>/image-staging.'),
  limit_param_default: opt.int(25, 'Page size of list calls without a limit.', { min: 1 }),
  api_limit_max: opt.int(1000, 'Largest page size of list calls.', { min: 1 }),
  image_size_cap: opt.int(1099511627776, 'Largest image accepted, in bytes (1 TiB).', { min: 1 }),
  image_member_quota: opt.int(128, 'Members per image (negative: unlimited).'),
  image_property_quota: opt.int(128, 'Custom properties per image (negative: unlimited).'),
  image_tag_quota: opt.int(128, 'Tags per image (negative: unlimited).'),
  show_image_direct_url: opt.bool(false, 'Show the location of the image data as direct_url.'),
  task_time_to_live: opt.int(48, 'Hours a finished task stays visible.', { min: 1 }),
  use_keystone_limits: opt.bool(true, 'Enforce per-project quotas from Keystone unified limits (image_count_total, image_count_uploading, image_size_total, image_stage_total).'),
  default_publisher_id: opt.str('image.localhost', 'publisher_id of notifications.'),
  disabled_notifications: opt.list([], 'Notification types or groups not sent (image.update, image.member, task).'),
});

export const glanceStoreGroup = defineGroup('glance_store', 'Image data stores', {
  enabled_backends: opt.list(['file:file'], 'Stores as id:type pairs (type: file, swift).'),
  default_backend: opt.str('file', 'Store used when a request names none.'),
  stores: opt.list([], "glance_store's single-store list of store types (file, swift; http is read-only and not available). When set, it replaces enabled_backends: each store's id is its type."),
  default_store: opt.str('', 'The store type new image data goes to when `stores` is used (replaces default_backend).'),
  filesystem_store_datadir: opt.str('', 'Directory of the default file store. Empty: <data_dir>/images.'),
  filesystem_store_datadirs: opt.list([], 'Directories of the other file stores as id:path pairs (default <data_dir>/images-<id>).'),
  store_descriptions: opt.list([], 'Descriptions shown in /v2/info/stores as id:text pairs.'),
  swift_store_container: opt.str('glance', 'Container of the images in the Glance account (single tenant), or the prefix of the per-image containers (multi-tenant: <container>_<image id>; with swift_store_multiple_containers_seed: <container>_<first N characters of the id>).'),
  swift_store_create_container_on_put: opt.bool(false, 'Create the container when it does not exist on upload (otherwise the upload fails).'),
  swift_store_large_object_size: opt.int(5120, 'Image size in MB (of 1000 KiB, as glance_store counts) from which data is stored as segments tied by a dynamic large object manifest (also when the size is not announced).', { min: 1 }),
  swift_store_large_object_chunk_size: opt.int(200, 'Largest segment, in MB (of 1000 KiB), of a segmented image.', { min: 1 }),
  swift_store_multi_tenant: opt.bool(false, "Store each image in its owner's Swift account (with the user's token, one container per image) instead of Glance's own account."),
  swift_store_multiple_containers_seed: opt.int(0, 'Single tenant: spread images over 16^N containers named after the first N characters of their id (0: one container).', { min: 0, max: 32 }),
  swift_store_admin_tenants: opt.list([], 'Multi-tenant: projects given read and write access to every image container.'),
  swift_store_config_file: opt.str('', 'Single tenant: a file of Swift account references ([ref] user = project:user, key, auth_address, user_domain_name, project_domain_name); empty: Glance stores in the account of its own service user, with its token.'),
  default_swift_reference: opt.str('ref1', 'The reference of swift_store_config_file new image data goes to (locations swift+config://<reference>/...).'),
  swift_store_endpoint: opt.str('', 'The Swift storage URL (…/v1/AUTH_<project>) to use instead of the catalog one.'),
  swift_store_endpoint_type: opt.enum(['publicURL', 'adminURL', 'internalURL'], 'publicURL', 'The catalog interface of the Swift endpoint.'),
  swift_store_service_type: opt.str('object-store', 'The catalog type of the Swift endpoint.'),
  swift_store_region: opt.str('', 'The catalog region of the Swift endpoint (empty: the cloud\'s region).'),
});

export const importFilteringGroup = defineGroup('import_filtering_opts', 'Which URLs web-download may fetch', {
  allowed_schemes: opt.list(['http', 'https'], 'Schemes allowed (an empty list allows any not disallowed).'),
  disallowed_schemes: opt.list([], 'Schemes refused (ignored when allowed_schemes is set).'),
  allowed_hosts: opt.list([], 'Hosts allowed; empty allows any not disallowed.'),
  disallowed_hosts: opt.list([], 'Hosts refused (ignored when allowed_hosts is set).'),
  allowed_ports: opt.list(['80', '443'], 'Ports allowed; empty allows any not disallowed.'),
  disallowed_ports: opt.list([], 'Ports refused (ignored when allowed_ports is set).'),
});

export const imageQuotaGroup = defineGroup('image_quota', 'Quota defaults when Keystone has no limit registered (-1: unlimited)', {
  image_count_total: opt.int(-1, 'Images per project.'),
  image_count_uploading: opt.int(-1, 'Images uploading or importing at once per project.'),
  image_size_total: opt.int(-1, 'Total image data per project, in MiB.'),
  image_stage_total: opt.int(-1, 'Total staged data per project, in MiB.'),
  limits_cache_seconds: opt.int(10, 'How long limits read from Keystone are reused.', { min: 0 }),
});

export const glanceGroups = [imageGroup, glanceStoreGroup, importFilteringGroup, imageQuotaGroup];
