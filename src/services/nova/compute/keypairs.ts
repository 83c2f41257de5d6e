/**
 * The key pair API (nova/compute/api.py KeypairAPI): import a public key (its fingerprint
 * checks it parses), or generate a key pair (an RSA ssh key, or an x509 WinRM certificate),
 * within the user's key_pairs quota (checked before, and for generated pairs re-checked after
 * the record is written when [quota] recheck_quota is set), with keypair.* notifications.
 */
import type { RequestContext } from '../../../common/context.js';
import { generateSshKeyPair, generateWinrmX509Cert, sshFingerprint, x509Fingerprint } from '../crypto.js';
import type { KeyPairRecord, KeyPairRepo } from '../db/keypairs.js';
import { KeypairLimitExceeded } from '../errors.js';
import type { KeyPairInfo, NovaNotifier } from '../notifications/notifier.js';
import type { QuotaChecker } from './quota.js';

export type KeypairType = 'ssh' | 'x509';

export interface KeypairApiDeps {
  keypairs: KeyPairRepo;
  /** The quota engine: the limits in force for a project's user (key_pairs is counted here, per user). */
  quotas: Pick<QuotaChecker, 'limits'>;
  notifier: Pick<NovaNotifier, 'keypairAction'>;
  recheckQuota: boolean;
}

function info(kp: Pick<KeyPairRecord, 'name' | 'user_id' | 'public_key' | 'fingerprint' | 'type'>): KeyPairInfo {
  return { name: kp.name, user_id: kp.user_id, public_key: kp.public_key, fingerprint: kp.fingerprint, type: kp.type };
}

export class KeypairAPI {
  constructor(private readonly d: KeypairApiDeps) {}

  /**
   * The key_pairs quota of the user (counted per user; the limit of the caller's project and
   * that user): `delta` more must fit.
   * @throws KeypairLimitExceeded
   */
  private async checkQuota(ctx: RequestContext, userId: string, delta: number): Promise<void> {
    const limit = (await this.d.quotas.limits(ctx.projectId ?? '', userId)).key_pairs;
    if (limit < 0) return;
    if ((await this.d.keypairs.count(userId)) + delta > limit) throw new KeypairLimitExceeded();
  }

  /** @throws KeypairLimitExceeded, InvalidKeypair, KeyPairExists */
  async importKeyPair(ctx: RequestContext, userId: string, name: string, publicKey: string, type: KeypairType): Promise<KeyPairRecord> {
    await this.checkQuota(ctx, userId, 1);
    await this.d.notifier.keypairAction(ctx, { name, user_id: userId, public_key: publicKey, fingerprint: '', type }, 'import', 'start');
    const fingerprint = type === 'ssh' ? sshFingerprint(publicKey) : x509Fingerprint(publicKey);
    const keypair = await this.d.keypairs.create({ name, user_id: userId, public_key: publicKey, fingerprint, type });
    await this.d.notifier.keypairAction(ctx, info(keypair), 'import', 'end');
    return keypair;
  }

  /** @throws KeypairLimitExceeded, KeyPairExists */
  async createKeyPair(ctx: RequestContext, userId: string, name: string, type: KeypairType): Promise<{ keypair: KeyPairRecord; privateKey: string }> {
    await this.checkQuota(ctx, userId, 1);
    await this.d.notifier.keypairAction(ctx, { name, user_id: userId, public_key: '', fingerprint: '', type }, 'create', 'start');
    const generated = type === 'ssh' ? await generateSshKeyPair() : await generateWinrmX509Cert(userId);
    const keypair = await this.d.keypairs.create({ name, user_id: userId, public_key: generated.publicKey, fingerprint: generated.fingerprint, type });
    if (this.d.recheckQuota) {
      try {
        await this.checkQuota(ctx, userId, 0);
      } catch (err) {
        await this.d.keypairs.destroy(userId, name);
        throw err;
      }
    }
    await this.d.notifier.keypairAction(ctx, info(keypair), 'create', 'end');
    return { keypair, privateKey: generated.privateKey };
  }

  /** @throws MarkerNotFound */
  getKeyPairs(userId: string, page: { limit?: number; marker?: string } = {}): Promise<KeyPairRecord[]> {
    return this.d.keypairs.list(userId, page);
  }

  /** @throws KeypairNotFound */
  getKeyPair(userId: string, name: string): Promise<KeyPairRecord> {
    return this.d.keypairs.get(userId, name);
  }

  /** @throws KeypairNotFound */
  async deleteKeyPair(ctx: RequestContext, userId: string, name: string): Promise<void> {
    const keypair = await this.d.keypairs.get(userId, name);
    await this.d.notifier.keypairAction(ctx, info(keypair), 'delete', 'start');
    await this.d.keypairs.destroy(userId, name);
    await this.d.notifier.keypairAction(ctx, info(keypair), 'delete', 'end');
  }
}
