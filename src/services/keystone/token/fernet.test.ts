import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Fernet, FernetRing, InvalidFernetKey, InvalidFernetToken, decodeBase64Url, fernetTimestamp } from './fernet.js';

// Vectors from github.com/fernet/spec (generate.json, verify.json, invalid.json).
const SECRET = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const SPEC_TOKEN = 'gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==';
const IV = Uint8Array.from({ length: 16 }, (_, i) => i);
const at = (iso: string): number => Date.parse(iso) / 1000;

const INVALID: Array<{ desc: string; token: string; now: string }> = [
  { desc: 'incorrect mac', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQUFBQQ==', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'too short', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA==', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'invalid base64', token: '%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'payload size not multiple of block size', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_v7mrfyudzUm', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'payload padding error', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKNqOhw==', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'far-future TS (unacceptable clock skew)', token: 'gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyTGJmw2Xc2a6kBd-iX9b_qXQcw==', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'expired TTL', token: 'gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-p1YsUD2Q==', now: '1985-10-26T01:21:31-07:00' },
  { desc: 'incorrect IV (causes padding error)', token: 'gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZjK1zQ==', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'trailing characters after b64 padding', token: `${SPEC_TOKEN}trailingdata`, now: '1985-10-26T01:20:01-07:00' },
  { desc: 'invalid characters in b64', token: '*gAAAAAAdwJ6wAAECAwQFBgcI!CQoLDA0ODy021?cpGVWKZ_eEwC@GM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==', now: '1985-10-26T01:20:01-07:00' },
  { desc: 'invalid non-urlsafe characters in b64', token: 'gAAAAAAdwJ6wAAEC/AwQFBgcICQoLDA0ODy+021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==', now: '1985-10-26T01:20:01-07:00' },
];

describe('Fernet spec vectors', () => {
  test('generate.json: same key, time, IV and plaintext give the spec token', () => {
    const token = new Fernet(SECRET).encrypt(Buffer.from('hello'), { now: at('1985-10-26T01:20:00-07:00'), iv: IV });
    assert.equal(token, SPEC_TOKEN);
  });

  test('verify.json: the spec token decrypts within its TTL', () => {
    const out = new Fernet(SECRET).decrypt(SPEC_TOKEN, { ttl: 60, now: at('1985-10-26T01:20:01-07:00') });
    assert.equal(out.plaintext.toString(), 'hello');
    assert.equal(out.timestamp, at('1985-10-26T01:20:00-07:00'));
    assert.equal(fernetTimestamp(SPEC_TOKEN), out.timestamp);
  });

  for (const v of INVALID) {
    test(`invalid.json: ${v.desc}`, () => {
      assert.throws(() => new Fernet(SECRET).decrypt(v.token, { ttl: 60, now: at(v.now) }), InvalidFernetToken);
    });
  }
});

describe('Fernet as Keystone uses it', () => {
  test('tokens without their = padding still decrypt', () => {
    const f = new Fernet(Fernet.generateKey());
    const token = f.encrypt(Buffer.from('payload')).replace(/=+$/, '');
    assert.equal(f.decrypt(token).plaintext.toString(), 'payload');
  });

  test('without a TTL an old token still decrypts (Keystone checks expiry in the payload)', () => {
    const out = new Fernet(SECRET).decrypt(SPEC_TOKEN);
    assert.equal(out.plaintext.toString(), 'hello');
  });

  test('a ring encrypts with its first key and decrypts with any', () => {
    const [a, b, c] = [Fernet.generateKey(), Fernet.generateKey(), Fernet.generateKey()];
    const old = new FernetRing([b, c]).encrypt(Buffer.from('old'));
    const ring = new FernetRing([a, b]);
    assert.equal(ring.decrypt(old).plaintext.toString(), 'old');
    assert.equal(new Fernet(a).decrypt(ring.encrypt(Buffer.from('new'))).plaintext.toString(), 'new');
    assert.throws(() => new FernetRing([c]).decrypt(ring.encrypt(Buffer.from('x'))), InvalidFernetToken);
  });

  test('a flipped bit anywhere is rejected', () => {
    const f = new Fernet(Fernet.generateKey());
    const raw = Buffer.from(f.encrypt(Buffer.from('data')), 'base64url');
    for (const i of [0, 5, 20, 30, raw.length - 1]) {
      const copy = Buffer.from(raw);
      copy[i] = (copy[i] as number) ^ 1;
      assert.throws(() => f.decrypt(copy.toString('base64url')), InvalidFernetToken, `byte ${i}`);
    }
  });

  test('bad keys are refused', () => {
    assert.throws(() => new Fernet('short'), InvalidFernetKey);
    assert.throws(() => new FernetRing([]), InvalidFernetKey);
  });

  test('strict base64url decoding', () => {
    assert.equal(decodeBase64Url('a+b/'), undefined);
    assert.equal(decodeBase64Url('abcde'), undefined);
    assert.deepEqual(decodeBase64Url('aGk'), Buffer.from('hi'));
    assert.deepEqual(decodeBase64Url('aGk='), Buffer.from('hi'));
  });
});
