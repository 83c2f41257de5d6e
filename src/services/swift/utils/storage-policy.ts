/**
 * Storage policies (swift/common/storage_policy.py): Policy-0, the replicated default whose
 * objects are on the `object` ring, and the erasure-coded policies of [swift]
 * storage_policies, each on a ring of its own (`object-<index>`, ec_num_data_fragments +
 * ec_num_parity_fragments replicas) with its objects under objects-<index>/ on the devices.
 *
 * An entry of storage_policies is what a [storage-policy:<index>] section of swift.conf says:
 *   <index>:<name>:erasure_coding:<ec_type>:<ec_num_data_fragments>:<ec_num_parity_fragments>[:<ec_object_segment_size>]
 */
import { ReedSolomon } from './ec-codec.js';

export const EC_TYPES = ['liberasurecode_rs_vand'] as const;
export const DEFAULT_SEGMENT_SIZE = 1048576;

export interface ReplicatedPolicy {
  index: 0;
  name: string;
  type: 'replication';
}

export interface ECPolicy {
  index: number;
  name: string;
  type: 'erasure_coding';
  ecType: (typeof EC_TYPES)[number];
  ndata: number;
  nparity: number;
  segmentSize: number;
  codec: ReedSolomon;
}

export type StoragePolicy = ReplicatedPolicy | ECPolicy;

export class StoragePolicyError extends Error {}

/** ECStoragePolicy.quorum: the data fragments and the parity fragments pyeclib needs for durability (one). */
export const ecQuorum = (p: ECPolicy): number => p.ndata + 1;

/** The object ring's name of a policy ('object', 'object-1'). */
export const objectRingName = (index: number): 'object' | `object-${number}` => (index === 0 ? 'object' : `object-${index}`);

export class StoragePolicies {
  readonly all: readonly StoragePolicy[];

  constructor(entries: readonly string[] = []) {
    const policies: StoragePolicy[] = [{ index: 0, name: 'Policy-0', type: 'replication' }];
    for (const entry of entries) {
      const f = entry.split(':').map((s) => s.trim());
      const [index, name, type, ecType, k, m, seg] = f;
      if (f.length < 6 || f.length > 7 || !/^\d+$/.test(index!) || Number(index) === 0) throw new StoragePolicyError(`storage policy "${entry}": <index>:<name>:erasure_coding:<ec_type>:<k>:<m>[:<segment_size>] with an index above 0`);
      if (type !== 'erasure_coding') throw new StoragePolicyError(`storage policy "${entry}": only erasure_coding policies can be added to Policy-0`);
      if (!(EC_TYPES as readonly string[]).includes(ecType!)) throw new StoragePolicyError(`storage policy "${entry}": ec_type must be one of ${EC_TYPES.join(', ')}`);
      if (!/^[A-Za-z0-9-]+$/.test(name!)) throw new StoragePolicyError(`storage policy "${entry}": names are letters, digits and '-'`);
      const nums = [k, m, seg ?? String(DEFAULT_SEGMENT_SIZE)];
      if (!nums.every((n) => /^\d+$/.test(n!) && Number(n) > 0)) throw new StoragePolicyError(`storage policy "${entry}": fragment counts and segment size are positive integers`);
      if (policies.some((p) => p.index === Number(index) || p.name.toLowerCase() === name!.toLowerCase())) throw new StoragePolicyError(`storage policy "${entry}": index or name used twice`);
      policies.push({ index: Number(index), name: name!, type: 'erasure_coding', ecType: ecType as ECPolicy['ecType'], ndata: Number(k), nparity: Number(m), segmentSize: Number(nums[2]), codec: new ReedSolomon(Number(k), Number(m)) });
    }
    this.all = policies;
  }

  byIndex(index: number): StoragePolicy | undefined {
    return this.all.find((p) => p.index === index);
  }

  /** get_by_name: case-insensitive. */
  byName(name: string): StoragePolicy | undefined {
    return this.all.find((p) => p.name.toLowerCase() === name.trim().toLowerCase());
  }

  ec(index: number): ECPolicy | undefined {
    const p = this.byIndex(index);
    return p?.type === 'erasure_coding' ? p : undefined;
  }

  get hasEC(): boolean {
    return this.all.length > 1;
  }

  /** /info's `policies` (get_policy_info: name, aliases, default; the ec settings are not public upstream). */
  info(): Array<Record<string, unknown>> {
    return this.all.map((p) => ({ name: p.name, aliases: p.name, ...(p.index === 0 ? { default: true } : {}) }));
  }
}
