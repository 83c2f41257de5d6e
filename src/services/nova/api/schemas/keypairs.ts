/**
 * JSON schemas of os-keypairs create per microversion (nova/api/openstack/compute/schemas/
 * keypairs.py): 2.1 name and public_key, 2.2 type ssh|x509, 2.10 user_id, 2.92 public_key
 * required. The characters a name may hold (format keypair_name_20 / _292) are checked by
 * keypairNameCharacters, with upstream's InvalidName message.
 */
import type { APIVersion } from '../../../../common/http/microversion.js';
import { InvalidName } from '../../errors.js';
import { NAME } from './servers.js';

type Schema = Record<string, unknown>;

function createSchema(v: APIVersion): Schema {
  const props: Schema = { name: NAME, public_key: { type: 'string' } };
  if (v.atLeast('2.2')) props['type'] = { type: 'string', enum: ['ssh', 'x509'] };
  if (v.atLeast('2.10')) props['user_id'] = { type: 'string' };
  return {
    type: 'object',
    properties: {
      keypair: { type: 'object', properties: props, required: v.atLeast('2.92') ? ['name', 'public_key'] : ['name'], additionalProperties: false },
    },
    required: ['keypair'],
    additionalProperties: false,
  };
}

const BY_RANGE = new Map<string, Schema>();

export function createKeypairSchema(v: APIVersion): Schema {
  const key = v.atLeast('2.92') ? '2.92' : v.atLeast('2.10') ? '2.10' : v.atLeast('2.2') ? '2.2' : '2.1';
  let schema = BY_RANGE.get(key);
  if (!schema) BY_RANGE.set(key, (schema = createSchema(v)));
  return schema;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** validators.py _validate_keypair_name_20 / _292. @throws InvalidName */
export function keypairNameCharacters(v: APIVersion, name: string): void {
  const safe = `${v.atLeast('2.92') ? '@._- ' : '_- '}0123456789${LETTERS}`;
  if ([...name].some((ch) => !safe.includes(ch))) throw new InvalidName(`Only expected characters: [${safe}]`);
}
