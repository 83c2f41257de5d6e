import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FernetRing } from './fernet.js';
import { unpackPayload, type TokenPayload } from './payload.js';

// Tokens minted by the real Keystone (Debian's keystone 22.0.2, Zed) with its Fernet keys, one
// per payload kind: Nubo must read them exactly (and Keystone read Nubo's: checked by hand).
const KEYS = ['06NA7CVMgwIm2Z3Z_ltZW1PFZgFPWLxUWBQC1Gb0prg=', 'geaqoU1s509gXDlqOZAMcUSAsl3rFIWctTOE2d0Sg0w='];
const ADMIN = '133d1fc7e53d44f3a2e932851a139857';
const PROJECT = '571717de221742f88b1b00bcce0ae398';
const VECTORS: Array<[string, string, Partial<TokenPayload>]> = [
  ['unscoped', 'gAAAAABrAs1i2hd02zKSFKQP1ACFmWFgLKa8wtmCLs2KD8yN1QWgBG1GISFM8Cf8w_dgUeJtoUcmc4sGxMvHmtSr87fDm1kda8e-f7xNtIuM8zuS5vKCSJn_jRhJKtO7uuEWmEDmSbZckw73b8-QY-rbOikB0b-36Q', { methods: ['password'] }],
  ['domain (the default domain id travels as text)', 'gAAAAABrAs1iAYcYA-bYCXhqV4AuCjhMskTIZuLaspmpMidfrL_WEMAHkva4RxWRzQ1qT9wabl1OewqKOT-06lDVBsa7Gu-GcUMqCOfC3tdFDJ-ZvScAxntYnRkS4C6485R8_8RN0I07SjqIYkvRPTWCFQyQab8q6w', { methods: ['password'], domainId: 'default' }],
  ['system', 'gAAAAABrAs1iUto3DsFA-VIDKRA4CSDQbYeNC9vak8tmMll1Q7ZdayByiR4vpiiSvM9_c2qbrIx_hCpCqX8Zhix7B0H69N0aB6BbGZQKSlB-NP7DI-g80MqLnhbePqx4e8icIM1vw8fxYYIUPSBEWltQU8YZJhIdng', { methods: ['password'], system: 'all' }],
  ['project', 'gAAAAABrAs1iatIOanVs9i-5gPycwuVA16okkak8kK4iQ1Pa7nRGPT1pOgpTvyKOZjEFjjrRKcdzDL-OIM9ubKWZzsMWSwSAcW0lWzta05B1CCZqwH6AbqU_EkV-Aks89S0JhuBv4IvpyPY4UwCSXu1hN-iw7LJHjjJGLJbiYNTUDnDlzxirpIE', { methods: ['password'], projectId: PROJECT }],
  ['rescoped with the token method', 'gAAAAABrAs1igflH79LPA6LIqby_V_rCdw_LiLRjyjM2kKXeXpid7867OoT5N11h_XfWpM-hscuvpNtKGG2Oqtd5CzfiaUcm_QQWwed_UL_EA8h2PEryy9WNhJgNTTv9eGrqrbEmpSOLLMPQG_sO-cbOioUXCDr9OHn2Xb2tgeEK0yqrdlfldzLNlTgEEaokzqQRuRAO-LyS', { methods: ['token', 'password'], projectId: PROJECT }],
  ['trust', 'gAAAAABrAs1i0QraSj8GNfOdESvwVEgBOjo7caKUR9ZycHK4APBx_YnrWqggvD6_cFTmXJiTDJv4J36kt8RcWpJkRi09z9zPYxzGrYjapaTZpuyX62_cGP9BUQ80uMi7kYhnfRc18fTWuF-zgbP9JSGKzvUQkM6xoiZdym823L1C8s6b_cuVMrrxP7KMP_lNsGFvEySf6M2P', { userId: '87641b8dcb8c4883a4dfef36d3c67e69', methods: ['password'], projectId: PROJECT, trustId: '81a7657099044eeda7b4f0078a03f98a' }],
  ['application credential', 'gAAAAABrAs1ik3vcaG8xBY9R5nkc8aNWhe9WYOA2hgd_zOa6CIxRxGt5wkN_9rI468Oxtyo4T-RL6tV7gTNplPTKj0fCkCE2eY-UpjfhbtJqN4c6wBODA-V5FbT8Cp84EIqCJdtsHgqstJdOjWmlPEaxt5RIx8vzTi1Tffjwsls0S4FNuwAmcXLbMsiwPDgWlG62pR78M9uf', { methods: ['application_credential'], projectId: PROJECT, appCredId: 'cbd81d0bf37a4da09514f424f2e2277c' }],
];

describe('tokens minted by Keystone', () => {
  const ring = new FernetRing(KEYS);
  for (const [name, token, want] of VECTORS) {
    test(name, () => {
      const payload = unpackPayload(ring.decrypt(token).plaintext);
      assert.deepEqual({ ...payload, expiresAt: 0, auditIds: [] }, { userId: ADMIN, ...want, expiresAt: 0, auditIds: [] });
      assert.ok(Number.isInteger(payload.expiresAt) && payload.expiresAt > 1.7e9);
      assert.ok(payload.auditIds.length >= 1 && payload.auditIds.every((a) => /^[A-Za-z0-9_-]{22}$/.test(a)));
    });
  }
});
