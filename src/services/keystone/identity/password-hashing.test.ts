import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPassword, hashPassword, type HashAlgorithm, type HashOptions } from './password-hashing.js';

const base: HashOptions = { algorithm: 'bcrypt', rounds: 4, saltBytes: 0, scryptBlockSize: 0, scryptParallelism: 0, maxPasswordLength: 4096 };

// Generated with passlib 1.7.4 (what Keystone before 2024 wrote), password "secret".
const PASSLIB: Record<string, string> = {
  bcrypt: '$2b$04$ag8Gmmy.fO.A3Fp5pU8D7.D7X59tF1O5QJJQB8So3HcWvEBxoppjK',
  bcrypt_sha256: '$bcrypt-sha256$v=2,t=2b,r=4$12UUpyxmzCpmwks855HyQu$ew/GXjbFEEwMyDRB61MNdlSL7SuY2OC',
  scrypt: '$scrypt$ln=4,r=8,p=1$obS21vq/11orBaC0ljImBA$OLhsEmgGG09rJKEtAVstzwcXxKJ/PeBYI8eHeq6M3p8',
  pbkdf2_sha512: '$pbkdf2-sha512$1000$M2bsvZcyRuhdK2WMMaaUEg$/Ehr7.OU5lQnblDDyh/v20FswHVrphaO5fwCjaHbsFj08Jkj1EL/yk1uCjkoopBxeQ73bo/XIjrY7Vw9DB36iQ',
};

describe('password hashing', () => {
  for (const [algo, hashed] of Object.entries(PASSLIB)) {
    test(`verifies a passlib ${algo} hash`, async () => {
      assert.equal(await checkPassword('secret', hashed, base), true);
      assert.equal(await checkPassword('Secret', hashed, base), false);
    });
  }

  for (const algorithm of ['bcrypt', 'bcrypt_sha256', 'scrypt', 'pbkdf2_sha512'] as HashAlgorithm[]) {
    test(`${algorithm} round trip`, async () => {
      const opts = { ...base, algorithm, rounds: algorithm === 'pbkdf2_sha512' ? 1000 : 4 };
      const hashed = await hashPassword('pässwörd', opts);
      assert.equal(await checkPassword('pässwörd', hashed, opts), true);
      assert.equal(await checkPassword('password', hashed, opts), false);
    });
  }

  test('bcrypt writes $2b$ and the configured rounds', async () => {
    assert.match(await hashPassword('x', base), /^\$2b\$04\$/);
  });

  test('bcrypt only uses the first 72 bytes, like upstream', async () => {
    const long = 'a'.repeat(80);
    const hashed = await hashPassword(long, base);
    assert.equal(await checkPassword('a'.repeat(72) + 'zzz', hashed, base), true);
  });

  test('unknown formats and missing hashes never match', async () => {
    assert.equal(await checkPassword('secret', 'secret', base), false);
    assert.equal(await checkPassword('secret', null, base), false);
  });
});
