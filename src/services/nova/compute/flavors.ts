/**
 * Flavors as nova's API changes them (nova/compute/flavors.py create and the Flavor object's
 * create, save, add_access, remove_access and destroy): creation checks its values (a UUID when
 * no id is given, the name stripped, ram and vcpus positive and disk, ephemeral and swap
 * non-negative integers within the database's int, rxtx_factor a positive float, is_public a
 * boolean-like value), and every change is announced as flavor.create / update / delete.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { FlavorRepo } from '../db/flavors.js';
import { InvalidInput } from '../errors.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import type { Flavor } from '../objects/index.js';

/** nova/db/constants.py MAX_INT and SQL_SP_FLOAT_MAX. */
const MAX_INT = 0x7fffffff;
const SQL_SP_FLOAT_MAX = 3.40282e+38;

export interface FlavorCreateRequest {
  name: string;
  id?: string | number | null;
  ram: number | string;
  vcpus: number | string;
  disk: number | string;
  ephemeral?: number | string;
  swap?: number | string;
  rxtxFactor?: number | string;
  isPublic?: boolean | string;
  description?: string | null;
}

/** nova.utils.validate_integer. @throws InvalidInput */
export function validateInteger(value: number | string, name: string, min: number, max: number): number {
  const text = String(value).trim();
  if (!/^[+-]?\d+$/.test(text)) throw new InvalidInput(`${name} must be an integer`);
  const n = Number(text);
  if (n < min) throw new InvalidInput(`${name} must be >= ${min}`);
  if (n > max) throw new InvalidInput(`${name} must be <= ${max}`);
  return n;
}

function boolLike(value: boolean | string): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (['1', 't', 'true', 'on', 'y', 'yes'].includes(v)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(v)) return false;
  throw new InvalidInput('is_public must be a boolean');
}

/** nova.compute.flavors.create's checks. @throws InvalidInput */
function newFlavor(r: FlavorCreateRequest): Parameters<FlavorRepo['create']>[0] {
  // Python's `not flavorid`: null, '' and 0 all ask for a generated id.
  const flavorid = r.id === undefined || r.id === null || r.id === '' || r.id === 0 ? randomUUID() : String(r.id);
  const memory_mb = validateInteger(r.ram, 'ram', 1, MAX_INT);
  const vcpus = validateInteger(r.vcpus, 'vcpus', 1, MAX_INT);
  const root_gb = validateInteger(r.disk, 'disk', 0, MAX_INT);
  const ephemeral_gb = validateInteger(r.ephemeral ?? 0, 'ephemeral', 0, MAX_INT);
  const swap = validateInteger(r.swap ?? 0, 'swap', 0, MAX_INT);
  const rxtx = Number(r.rxtxFactor ?? 1.0);
  if (!(String(r.rxtxFactor ?? 1).trim() !== '' && Number.isFinite(rxtx) && rxtx > 0 && rxtx <= SQL_SP_FLOAT_MAX)) {
    throw new InvalidInput(`'rxtx_factor' argument must be a float between 0 and ${SQL_SP_FLOAT_MAX}`);
  }
  return {
    flavorid, name: r.name.trim(), memory_mb, vcpus, root_gb, ephemeral_gb, swap, rxtx_factor: rxtx,
    is_public: boolLike(r.isPublic ?? true), description: r.description ?? null,
  };
}

export class FlavorAPI {
  constructor(private readonly repo: FlavorRepo, private readonly notifier: Pick<NovaNotifier, 'flavorAction'>) {}

  private async notify(ctx: RequestContext, flavorid: string, action: 'create' | 'update'): Promise<Flavor> {
    const flavor = await this.repo.getByFlavorId(flavorid);
    await this.notifier.flavorAction(ctx, flavor, await this.repo.projects(flavor), action);
    return flavor;
  }

  /** @throws InvalidInput, FlavorExists, FlavorIdExists */
  async create(ctx: RequestContext, r: FlavorCreateRequest): Promise<Flavor> {
    const flavor = await this.repo.create(newFlavor(r));
    return this.notify(ctx, flavor.data.flavorid, 'create');
  }

  /** @throws FlavorNotFound */
  async updateDescription(ctx: RequestContext, flavorid: string, description: string | null): Promise<Flavor> {
    await this.repo.updateDescription(flavorid, description);
    return this.notify(ctx, flavorid, 'update');
  }

  async setExtraSpecs(ctx: RequestContext, flavor: Flavor, specs: Record<string, string>): Promise<void> {
    await this.repo.setExtraSpecs(flavor, specs);
    await this.notify(ctx, flavor.data.flavorid, 'update');
  }

  /** @throws FlavorExtraSpecsNotFound */
  async deleteExtraSpec(ctx: RequestContext, flavor: Flavor, key: string): Promise<void> {
    await this.repo.deleteExtraSpec(flavor, key);
    await this.notify(ctx, flavor.data.flavorid, 'update');
  }

  /** @throws FlavorAccessExists */
  async addAccess(ctx: RequestContext, flavor: Flavor, projectId: string): Promise<void> {
    await this.repo.addAccess(flavor, projectId);
    await this.notify(ctx, flavor.data.flavorid, 'update');
  }

  /** @throws FlavorAccessNotFound */
  async removeAccess(ctx: RequestContext, flavor: Flavor, projectId: string): Promise<void> {
    await this.repo.removeAccess(flavor, projectId);
    await this.notify(ctx, flavor.data.flavorid, 'update');
  }

  /** @throws FlavorNotFound */
  async destroy(ctx: RequestContext, flavorid: string): Promise<void> {
    const flavor = await this.repo.getByFlavorId(flavorid);
    await this.repo.destroy(flavorid);
    await this.notifier.flavorAction(ctx, flavor, null, 'delete');
  }
}
