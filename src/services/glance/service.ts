/**
 * The composition of the Image API role (glance-api): repositories over the project's
 * database, the policy, the stores, notifications, quotas and the managers, and the routes
 * over them. Image records, sharing, streamed data with in-flight format inspection into
 * pluggable stores, interoperable import, quotas from Keystone unified limits.
 */
import { IdentityClient } from '../../common/clients/identity.js';
import type { Config } from '../../common/config/index.js';
import type { Database } from '../../common/db/index.js';
import { loadServicePolicy } from '../../common/policy/index.js';
import { Notifier } from '../../common/messaging/index.js';
import type { RoleContext, RoleInstance } from '../../common/service/project.js';
import { glanceRoutes } from './api/routes.js';
import { glanceStoreGroup, imageGroup, imageQuotaGroup, importFilteringGroup } from './config.js';
import { ImageRepo } from './db/image-repo.js';
import { MemberRepo } from './db/member-repo.js';
import type { GlanceDB } from './db/schema.js';
import { TaskRepo } from './db/task-repo.js';
import { imageSchema, imagesSchema, memberSchema, membersSchema, schemaPropertyNames, taskSchema, tasksSchema } from './domain/schemas.js';
import { SchemaValidator } from './domain/validator.js';
import { DataManager } from './managers/data.js';
import type { GlanceDeps, GlanceSettings } from './managers/deps.js';
import { ImageManager } from './managers/images.js';
import { ImportManager } from './managers/imports.js';
import { MemberManager } from './managers/members.js';
import { KeystoneLimitSource, QuotaEnforcer } from './managers/quota.js';
import { TaskManager } from './managers/tasks.js';
import { isSupportedHash } from './stores/metering.js';
import { MetadefManager } from './managers/metadefs.js';
import { GlancePolicy, glancePolicySpec } from './policies/index.js';
import { MetadefRepo } from './db/metadef-repo.js';
import { metadefSchemas, tagsCreateSchema } from './domain/metadef-schemas.js';
import { ImageNotifier, type NotificationSink } from './rpc/notifications.js';
import { parseBackends, singleStoreBackends, StoreRegistry } from './stores/registry.js';
import { swiftStoreFactory, type SwiftStoreDeps } from './stores/swift-factory.js';
import { OperatorError } from '../../common/errors.js';
import { PolicyForbidden } from './errors.js';

export interface ImageInstance extends RoleInstance {
  /** Wait for background imports to finish (tests, shutdown). */
  drain(): Promise<void>;
}

/** `a:b,c:d` list items as a record. */
function pairs(items: readonly string[], option: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf(':');
    if (i <= 0) throw new OperatorError(`${option}: "${item}" is not id:value`);
    out[item.slice(0, i).trim()] = item.slice(i + 1).trim();
  }
  return out;
}

/** Settings the managers use, from configuration. */
export function glanceSettings(config: Config): GlanceSettings {
  const c = config.get(imageGroup);
  const f = config.get(importFilteringGroup);
  if (!isSupportedHash(c.hashing_algorithm)) throw new OperatorError(`[image] hashing_algorithm: "${c.hashing_algorithm}" is not an available hash algorithm`);
  const ports = (l: readonly string[], option: string): number[] => l.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new OperatorError(`[import_filtering_opts] ${option}: "${p}" is not a port`);
    return n;
  });
  return {
    hashingAlgorithm: c.hashing_algorithm,
    diskFormats: c.disk_formats,
    containerFormats: c.container_formats,
    requireFormatMatch: c.require_image_format_match,
    vmdkAllowedTypes: c.vmdk_allowed_types,
    gptNonfatalChecks: c.gpt_safety_checks_nonfatal,
    importMethods: c.enabled_import_methods,
    limitDefault: c.limit_param_default,
    limitMax: c.api_limit_max,
    imageSizeCap: c.image_size_cap,
    memberQuota: c.image_member_quota,
    propertyQuota: c.image_property_quota,
    tagQuota: c.image_tag_quota,
    showDirectUrl: c.show_image_direct_url,
    importFilter: {
      allowedSchemes: f.allowed_schemes, disallowedSchemes: f.disallowed_schemes,
      allowedHosts: f.allowed_hosts, disallowedHosts: f.disallowed_hosts,
      allowedPorts: ports(f.allowed_ports, 'allowed_ports'), disallowedPorts: ports(f.disallowed_ports, 'disallowed_ports'),
    },
  };
}

/** The store registry from [glance_store] (`stores`/`default_store` when set, else enabled_backends/default_backend). */
export function glanceStores(config: Config, dataDir: string, swift?: Omit<SwiftStoreDeps, 'multiStore'>, warn: (msg: string) => void = () => undefined): StoreRegistry {
  const s = config.get(glanceStoreGroup);
  const img = config.get(imageGroup);
  const single = s.stores.length > 0 || s.default_store !== '';
  const backends = single ? singleStoreBackends(s.stores.length > 0 ? s.stores : [s.default_store], warn) : parseBackends(s.enabled_backends);
  return new StoreRegistry({
    backends,
    defaultBackend: single ? (s.default_store || backends[0]?.id || '') : s.default_backend,
    dataDir,
    ...(s.filesystem_store_datadir ? { defaultFileDir: s.filesystem_store_datadir } : {}),
    fileDirs: pairs(s.filesystem_store_datadirs, '[glance_store] filesystem_store_datadirs'),
    descriptions: pairs(s.store_descriptions, '[glance_store] store_descriptions'),
    ...(img.staging_dir ? { stagingDir: img.staging_dir } : {}),
    ...(swift ? { swift: swiftStoreFactory(s, { ...swift, multiStore: true }) } : {}),
  });
}

export interface BuildOptions {
  ctx: RoleContext;
  /** Where notifications go (default: a Notifier on ctx.transport). */
  sink?: NotificationSink;
}

/** Wire the service from its context (also used by tests with their own sink). */
export async function buildImageService(opts: BuildOptions): Promise<ImageInstance> {
  const { ctx } = opts;
  const config = ctx.config;
  const img = config.get(imageGroup);
  const quotaConf = config.get(imageQuotaGroup);
  const settings = glanceSettings(config);
  const stores = glanceStores(config, ctx.dataDir, {
    session: ctx.session, identityUrl: ctx.identityUrl, credentials: ctx.credentials, region: ctx.region,
  }, (msg) => ctx.log.warn(msg));
  await stores.init();

  const database = (await ctx.database()) as Database<GlanceDB>;
  const policy = loadServicePolicy(glancePolicySpec, { config, dataDir: ctx.dataDir, project: 'glance', periodic: ctx.periodic }, {
    denied: (rule) => new PolicyForbidden(rule), onWarning: (msg) => ctx.log.warn(msg),
  });
  const notifier = new Notifier(ctx.transport, { publisherId: img.default_publisher_id });
  // No context given: the notifier sends the request scope's (the API call's request id and user).
  const sink: NotificationSink = opts.sink ?? {
    notify: (priority, eventType, payload) => notifier[priority === 'WARN' ? 'warn' : priority === 'ERROR' ? 'error' : 'info'](undefined, eventType, payload),
  };
  const images = new ImageRepo(database);
  const mdSchemas = metadefSchemas();
  const schemas = {
    image: imageSchema(settings.diskFormats, settings.containerFormats),
    images: imagesSchema(settings.diskFormats, settings.containerFormats),
    member: memberSchema(),
    members: membersSchema(),
    task: taskSchema(),
    tasks: tasksSchema(),
  };
  const limits = img.use_keystone_limits
    ? new KeystoneLimitSource(new IdentityClient(ctx.session), ctx.region, quotaConf.limits_cache_seconds * 1000, (m) => ctx.log.warn(m))
    : undefined;
  const deps: GlanceDeps = {
    images,
    members: new MemberRepo(database),
    tasks: new TaskRepo(database, img.task_time_to_live),
    policy: new GlancePolicy(policy),
    notifier: new ImageNotifier(sink, img.disabled_notifications, (err, type) => ctx.log.warn({ err }, `notification ${type} failed`)),
    quota: new QuotaEnforcer(images, limits, {
      enabled: true,
      defaults: {
        image_count_total: quotaConf.image_count_total,
        image_count_uploading: quotaConf.image_count_uploading,
        image_size_total: quotaConf.image_size_total,
        image_stage_total: quotaConf.image_stage_total,
      },
    }),
    stores,
    validator: new SchemaValidator({
      ...schemas,
      metadef_namespace: mdSchemas['namespace']!,
      metadef_object: mdSchemas['object']!,
      metadef_property: mdSchemas['property']!,
      metadef_tag: mdSchemas['tag']!,
      metadef_tags_create: tagsCreateSchema(),
      metadef_resource_type: mdSchemas['resource_type']!,
    }),
    settings,
    log: ctx.log,
  };
  const imageManager = new ImageManager(deps);
  const data = new DataManager(deps, imageManager);
  const imports = new ImportManager(deps, imageManager, data);
  const routes = glanceRoutes({
    images: imageManager,
    data,
    members: new MemberManager(deps, imageManager),
    imports,
    tasks: new TaskManager(deps),
    quota: deps.quota,
    policy: deps.policy,
    stores,
    settings,
    view: { schemaProperties: schemaPropertyNames(), showDirectUrl: settings.showDirectUrl },
    schemas,
    metadefs: new MetadefManager(new MetadefRepo(database), deps.policy, deps.validator, { limitDefault: settings.limitDefault, limitMax: settings.limitMax }),
    metadefSchemas: mdSchemas,
    baseUrl: ctx.baseUrl,
  });
  return {
    routes,
    drain: () => imports.drain(),
    async stop() {
      // Give running imports a moment; one cut short keeps its lock until it expires (as upstream).
      await Promise.race([imports.drain(), new Promise<void>((r) => setTimeout(r, 10_000).unref())]);
    },
  };
}
