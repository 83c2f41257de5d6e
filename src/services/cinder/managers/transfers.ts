/**
 * Volume transfers (cinder/transfer/api.py): the owner offers an available volume (it waits
 * in awaiting-transfer) and gets a one-time auth key; only its HMAC-SHA1 under a random salt is
 * stored. Whoever presents the key accepts it: the volume, and its snapshots unless
 * no_snapshots, move to the recipient's project and user within the recipient's quota (checked
 * and written in one quota transaction). Deleting the offer puts the volume back to available.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { RequestContext } from '../../../common/context.js';
import type { CinderRepos } from '../db/repos.js';
import type { TransferRecord } from '../db/transfers.js';
import { InvalidSnapshot, InvalidVolume, VolumeNotFound } from '../errors.js';
import { InvalidAuthKey, TransferNotFound, VolumeSizeExceedsLimit } from '../resource-errors.js';
import type { Quotas } from './quotas.js';

/** [DEFAULT] volume_transfer_salt_length and volume_transfer_key_length. */
const SALT_LENGTH = 8;
const KEY_LENGTH = 16;

const randomHex = (length: number): string => randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
const cryptHash = (salt: string, authKey: string): string => createHmac('sha1', salt).update(authKey).digest('hex');

export interface NewTransfer extends TransferRecord {
  auth_key: string;
}

export class TransferAPI {
  constructor(private readonly o: { repos: CinderRepos; quotas: Quotas }) {}

  private get repos(): CinderRepos {
    return this.o.repos;
  }

  /** A live transfer of a volume the caller's project owns (any, for an admin). @throws TransferNotFound */
  async get(ctx: RequestContext, id: string, isAdmin: boolean): Promise<TransferRecord> {
    const t = await this.repos.transfers.find(id);
    if (!t) throw new TransferNotFound(id);
    if (!isAdmin) {
      const v = await this.repos.volumes.find(t.volume_id);
      if (!v || v.project_id !== ctx.projectId) throw new TransferNotFound(id);
    }
    return t;
  }

  async list(ctx: RequestContext, allProjects: boolean): Promise<TransferRecord[]> {
    return this.repos.transfers.list(allProjects ? null : ctx.projectId ?? '');
  }

  async create(volumeId: string, name: string | null, noSnapshots: boolean, allowEncrypted: boolean): Promise<NewTransfer> {
    const v = await this.repos.volumes.find(volumeId);
    if (!v) throw new VolumeNotFound(volumeId);
    if (v.status !== 'available') throw new InvalidVolume('status must be available');
    if (v.encryption_key_id !== null) {
      if (!allowEncrypted) throw new InvalidVolume('transferring encrypted volume is not supported');
      if (noSnapshots) throw new InvalidVolume('transferring an encrypted volume without its snapshots is not supported');
    }
    if (!noSnapshots) {
      for (const s of await this.repos.snapshots.ofVolume(volumeId)) {
        if (s.status !== 'available') throw new InvalidSnapshot(`snapshot: ${s.id} status must be available`);
      }
    }
    const salt = randomHex(SALT_LENGTH);
    const authKey = randomHex(KEY_LENGTH);
    const id = randomUUID();
    const record = { id, volume_id: volumeId, display_name: name, salt, crypt_hash: cryptHash(salt, authKey), no_snapshots: noSnapshots, source_project_id: v.project_id };
    if (!(await this.repos.transfers.create(record))) throw new InvalidVolume('status must be available');
    return { ...(await this.repos.transfers.find(id))!, auth_key: authKey };
  }

  async delete(t: TransferRecord): Promise<void> {
    await this.repos.transfers.destroy(t);
  }

  /** @throws TransferNotFound, InvalidAuthKey (400), a QuotaError (413), InvalidVolume */
  async accept(ctx: RequestContext, id: string, authKey: string): Promise<{ id: string; display_name: string | null; volume_id: string }> {
    const t = await this.repos.transfers.find(id);
    if (!t) throw new TransferNotFound(id);
    const given = Buffer.from(cryptHash(t.salt, authKey));
    const stored = Buffer.from(t.crypt_hash);
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) throw new InvalidAuthKey(`Attempt to transfer ${id} with invalid auth key.`);
    const v = await this.repos.volumes.find(t.volume_id);
    if (!v) throw new VolumeNotFound(t.volume_id);
    const projectId = ctx.projectId ?? '';
    const limits = await this.o.quotas.limits(projectId);
    const perVolume = limits['per_volume_gigabytes'] ?? -1;
    if (perVolume >= 0 && v.size > perVolume) throw new VolumeSizeExceedsLimit(v.size, perVolume);
    const snapshots = t.no_snapshots ? [] : await this.repos.snapshots.ofVolume(v.id);
    const delta = {
      volumes: 1, snapshots: snapshots.length, gigabytes: v.size + snapshots.reduce((n, s) => n + s.volume_size, 0), typeName: v.volume_type?.name ?? '',
    };
    await this.o.quotas.reserve(projectId, delta, async (trx) => {
      if (!(await this.repos.transfers.accept(trx, t, ctx.userId ?? '', projectId))) {
        throw new InvalidVolume(`Volume ${v.id} status must be awaiting-transfer.`);
      }
    });
    return { id, display_name: t.display_name, volume_id: v.id };
  }
}
