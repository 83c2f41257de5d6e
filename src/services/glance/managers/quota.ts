/**
 * Per-project quotas as Glance enforces them with Keystone unified limits (glance/quota/
 * keystone.py through oslo.limit): image_count_total, image_count_uploading, image_size_total
 * and image_stage_total (MiB). Limits come from Keystone through the IdentityClient (project
 * limit, else the registered default for the image service); a resource Keystone knows nothing about uses the configured
 * default ([image_quota], -1 meaning unlimited). Going over answers 413.
 */
import type { IdentityClient, Limit, RegisteredLimit } from '../../../common/clients/identity.js';
import { ServiceClientError } from '../../../common/clients/session.js';
import { PayloadTooLarge } from '../../../common/errors.js';
import type { ImageRepo } from '../db/image-repo.js';
import { LimitExceeded } from '../errors.js';

export const QUOTA_NAMES = ['image_size_total', 'image_stage_total', 'image_count_total', 'image_count_uploading'] as const;
export type QuotaName = (typeof QUOTA_NAMES)[number];
export type Limits = Partial<Record<QuotaName, number>>;

const MiB = 1024 * 1024;

/** Where limits come from. */
export interface LimitSource {
  /** The limits Keystone has for the project (missing resources are not registered). */
  limitsFor(projectId: string): Promise<Limits>;
}

/** Unified limits read from Keystone with the service's own token, cached briefly. */
export class KeystoneLimitSource implements LimitSource {
  private serviceId: Promise<string | undefined> | undefined;
  private registered: { at: number; value: Promise<Limits> } | undefined;
  private readonly perProject = new Map<string, { at: number; value: Promise<Limits> }>();

  constructor(
    private readonly identity: IdentityClient,
    private readonly region: string,
    private readonly cacheMs: number,
    private readonly warn: (msg: string) => void = () => undefined,
  ) {}

  /** An identity without this API (404, 501) means no limits from Keystone. */
  private async tolerant<T>(api: string, read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (err) {
      if (err instanceof ServiceClientError && (err.status === 404 || err.status === 501)) {
        this.warn(`identity has no ${api} API; using configured quota defaults`);
        return undefined;
      }
      throw err;
    }
  }

  private lookupServiceId(): Promise<string | undefined> {
    this.serviceId ??= this.tolerant('/services', () => this.identity.listServices({ type: 'image' }))
      .then((services) => services?.[0]?.id)
      .catch((err) => {
        this.serviceId = undefined;
        throw err;
      });
    return this.serviceId;
  }

  private pick(rows: ReadonlyArray<Partial<Limit & RegisteredLimit>> | undefined, field: 'resource_limit' | 'default_limit'): Limits {
    const out: Limits = {};
    for (const row of rows ?? []) {
      if (row.region_id && row.region_id !== this.region) continue;
      if (!(QUOTA_NAMES as readonly string[]).includes(row.resource_name ?? '')) continue;
      const value = row[field];
      if (typeof value === 'number') out[row.resource_name as QuotaName] = value;
    }
    return out;
  }

  private cached(entry: { at: number; value: Promise<Limits> } | undefined, load: () => Promise<Limits>, store: (e: { at: number; value: Promise<Limits> } | undefined) => void): Promise<Limits> {
    if (entry && Date.now() - entry.at < this.cacheMs) return entry.value;
    const value = load();
    store({ at: Date.now(), value });
    value.catch(() => store(undefined));
    return value;
  }

  async limitsFor(projectId: string): Promise<Limits> {
    const serviceId = await this.lookupServiceId();
    if (!serviceId) return {};
    const registered = this.cached(this.registered, async () => {
      const rows = await this.tolerant('/registered_limits', () => this.identity.listRegisteredLimits({ serviceId }));
      return this.pick(rows, 'default_limit');
    }, (e) => { this.registered = e; });
    const project = this.cached(this.perProject.get(projectId), async () => {
      const rows = await this.tolerant('/limits', () => this.identity.listLimits({ projectId, serviceId }));
      return this.pick(rows?.filter((l) => !l.project_id || l.project_id === projectId), 'resource_limit');
    }, (e) => { if (e) this.perProject.set(projectId, e); else this.perProject.delete(projectId); });
    return { ...(await registered), ...(await project) };
  }
}

export interface QuotaOptions {
  enabled: boolean;
  defaults: Readonly<Record<QuotaName, number>>;
}

export class QuotaEnforcer {
  constructor(private readonly repo: ImageRepo, private readonly source: LimitSource | undefined, private readonly opts: QuotaOptions) {}

  private usageOf(name: QuotaName, projectId: string): Promise<number> {
    switch (name) {
      case 'image_size_total': return this.repo.storageUsage(projectId).then((b) => Math.floor(b / MiB));
      case 'image_stage_total': return this.repo.stagingUsage(projectId).then((b) => Math.floor(b / MiB));
      case 'image_count_total': return this.repo.countImages(projectId);
      case 'image_count_uploading': return this.repo.countUploading(projectId);
    }
  }

  /** The limit of each resource for the project (-1: unlimited). */
  async limits(projectId: string): Promise<Record<QuotaName, number>> {
    const fromKeystone = this.source ? await this.source.limitsFor(projectId) : {};
    return Object.fromEntries(QUOTA_NAMES.map((n) => [n, fromKeystone[n] ?? this.opts.defaults[n]])) as Record<QuotaName, number>;
  }

  /**
   * Check that usage plus delta stays within each named limit.
   * @throws LimitExceeded (413)
   */
  async enforce(projectId: string | null | undefined, deltas: Partial<Record<QuotaName, number>>): Promise<void> {
    if (!this.opts.enabled || !projectId) return;
    const limits = await this.limits(projectId);
    const over: Array<{ name: QuotaName; limit: number; usage: number; delta: number }> = [];
    for (const [name, delta] of Object.entries(deltas) as Array<[QuotaName, number]>) {
      const limit = limits[name];
      if (limit < 0) continue;
      const usage = await this.usageOf(name, projectId);
      if (usage + delta > limit) over.push({ name, limit, usage, delta });
    }
    if (over.length > 0) throw new LimitExceeded(projectId, over);
  }

  /** Bytes the project may still store under image_size_total (undefined: unlimited). */
  async remainingBytes(projectId: string | null | undefined, name: 'image_size_total' | 'image_stage_total'): Promise<number | undefined> {
    if (!this.opts.enabled || !projectId) return undefined;
    const limit = (await this.limits(projectId))[name];
    if (limit < 0) return undefined;
    const used = name === 'image_size_total' ? await this.repo.storageUsage(projectId) : await this.repo.stagingUsage(projectId);
    return Math.max(0, limit * MiB - used);
  }

  /** GET /v2/info/usage: usage and limit of every resource ({} when quotas are off). */
  async usage(projectId: string | null | undefined): Promise<Record<string, { usage: number; limit: number }>> {
    if (!this.opts.enabled || !projectId) return {};
    const limits = await this.limits(projectId);
    const out: Record<string, { usage: number; limit: number }> = {};
    for (const name of QUOTA_NAMES) out[name] = { usage: await this.usageOf(name, projectId), limit: limits[name] };
    return out;
  }
}
