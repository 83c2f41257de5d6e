/**
 * The key pair views (nova/api/openstack/compute/views/keypairs.py): create (the private key
 * when one was generated; type from 2.2), the list entries (type from 2.2) and show (with
 * id, times and the soft-delete fields upstream still prints).
 */
import type { KeyPairRecord } from '../../db/keypairs.js';

type Body = Record<string, unknown>;

/** A stored time as nova prints a datetime ('2014-05-07T12:06:13.000000'). */
function novaTime(t: string | null): string | null {
  return t ? t.replace(/Z$/, '').replace(/(T\d{2}:\d{2}:\d{2})$/, '$1.000000') : null;
}

export function keypairCreateView(kp: KeyPairRecord, withType: boolean, privateKey?: string): Body {
  const body: Body = {};
  if (privateKey !== undefined) body['private_key'] = privateKey;
  if (withType) body['type'] = kp.type;
  Object.assign(body, { name: kp.name, public_key: kp.public_key, fingerprint: kp.fingerprint, user_id: kp.user_id });
  return body;
}

export function keypairIndexView(kp: KeyPairRecord, withType: boolean): Body {
  const body: Body = { name: kp.name, public_key: kp.public_key, fingerprint: kp.fingerprint };
  if (withType) body['type'] = kp.type;
  return { keypair: body };
}

export function keypairShowView(kp: KeyPairRecord, withType: boolean): Body {
  const body: Body = {
    name: kp.name, public_key: kp.public_key, fingerprint: kp.fingerprint, user_id: kp.user_id,
    created_at: novaTime(kp.created_at), deleted: false, deleted_at: null, id: kp.id, updated_at: novaTime(kp.updated_at),
  };
  if (withType) body['type'] = kp.type;
  return body;
}
