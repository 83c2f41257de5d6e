/**
 * QoS specs (cinder/volume/qos_specs.py): named sets of key/value specs with a consumer
 * (front-end, back-end or both; back-end when not given), associated with volume types (one
 * specs per type). Deleting specs still associated needs force (which disassociates them).
 */
import { randomUUID } from 'node:crypto';
import type { QosSpecsRecord } from '../db/qos-specs.js';
import type { CinderRepos } from '../db/repos.js';
import { InvalidVolumeType, VolumeTypeNotFound } from '../errors.js';
import { InvalidQoSSpecs, QoSSpecsExists, QoSSpecsInUse, QoSSpecsKeyNotFound, QoSSpecsNotFound } from '../resource-errors.js';

export const CONSUMERS = ['front-end', 'back-end', 'both'];

function consumerOf(v: string): string {
  if (!CONSUMERS.includes(v)) throw new InvalidQoSSpecs(`Valid consumer of QoS specs are: ${CONSUMERS.join(', ')}`);
  return v;
}

export class QosSpecsAPI {
  constructor(private readonly repos: CinderRepos) {}

  async get(id: string): Promise<QosSpecsRecord> {
    const q = await this.repos.qosSpecs.find(id);
    if (!q) throw new QoSSpecsNotFound(id);
    return q;
  }

  list(): Promise<QosSpecsRecord[]> {
    return this.repos.qosSpecs.list();
  }

  async create(name: string, specs: Record<string, string>): Promise<QosSpecsRecord> {
    const { consumer, ...rest } = specs;
    const id = randomUUID();
    if (!(await this.repos.qosSpecs.create({ id, name, consumer: consumer === undefined ? 'back-end' : consumerOf(consumer), specs: rest }))) {
      throw new QoSSpecsExists(name);
    }
    return this.get(id);
  }

  /** Set (merge) keys; `consumer` changes the consumer. Returns what was given. */
  async update(id: string, specs: Record<string, string>): Promise<void> {
    await this.get(id);
    const { consumer, ...rest } = specs;
    if (consumer !== undefined) await this.repos.qosSpecs.setConsumer(id, consumerOf(consumer));
    if (Object.keys(rest).length > 0) await this.repos.qosSpecs.specs.set(id, rest, false);
    await this.repos.qosSpecs.touch(id);
  }

  async deleteKeys(id: string, keys: readonly string[]): Promise<void> {
    const q = await this.get(id);
    const missing = keys.find((k) => q.specs[k] === undefined);
    // upstream removes the keys before the missing one and still saves them
    for (const k of keys) {
      if (k === missing) break;
      await this.repos.qosSpecs.specs.remove(id, k);
    }
    await this.repos.qosSpecs.touch(id);
    if (missing !== undefined) throw new QoSSpecsKeyNotFound(id, missing);
  }

  async delete(id: string, force: boolean): Promise<void> {
    await this.get(id);
    if (!force && (await this.repos.qosSpecs.associations(id)).length > 0) throw new QoSSpecsInUse();
    await this.repos.qosSpecs.softDelete(id);
  }

  async associations(id: string): Promise<Array<{ association_type: string; name: string; id: string }>> {
    await this.get(id);
    return (await this.repos.qosSpecs.associations(id)).map((t) => ({ association_type: 'volume_type', name: t.name, id: t.id }));
  }

  async associate(id: string, typeId: string): Promise<void> {
    await this.get(id);
    if (!(await this.repos.types.find(typeId))) throw new VolumeTypeNotFound(typeId);
    if (!(await this.repos.qosSpecs.associate(id, typeId))) {
      const other = await this.repos.qosSpecs.typeQos(typeId);
      throw new InvalidVolumeType(`Type ${typeId} is already associated with another qos specs: ${other ?? ''}`);
    }
  }

  async disassociate(id: string, typeId: string): Promise<void> {
    await this.get(id);
    if (!(await this.repos.types.find(typeId))) throw new VolumeTypeNotFound(typeId);
    await this.repos.qosSpecs.disassociate(id, typeId);
  }

  async disassociateAll(id: string): Promise<void> {
    await this.get(id);
    await this.repos.qosSpecs.disassociate(id, null);
  }
}
