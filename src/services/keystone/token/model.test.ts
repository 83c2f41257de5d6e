import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CatalogServiceBody } from '../providers.js';
import { renderToken, tokenBodyText, tokenJson, type ResolvedToken } from './model.js';

const domain = { id: 'default', name: 'Default', enabled: true };
const user = (id: string) => ({ id, name: `name-${id}`, domainId: 'default', enabled: true, passwordExpiresAt: null, options: {} });
const project = { id: 'p1', name: 'demo', domainId: 'default', enabled: true, isDomain: false, parentId: 'default' };
const roles = [{ id: 'r1', name: 'member' }, { id: 'r2', name: 'reader' }];
const base: ResolvedToken = {
  id: 'tok', payload: { userId: 'u1', methods: ['password'], auditIds: ['a1'], expiresAt: 4102444800 },
  issuedAt: 1767225600, expiresAt: 4102444800, auditId: 'a1', parentAuditId: null, user: user('u1'), userDomain: domain, system: false, roles: [],
};
const trust = {
  id: 't1', trustorUserId: 'u2', trusteeUserId: 'u1', projectId: 'p1', impersonation: true, expiresAt: null, remainingUses: null,
  redelegatedTrustId: null, redelegationCount: null, deletedAt: null, roleIds: ['r1'], extra: {},
};
const appCred = {
  id: 'ac1', name: 'cred', description: null, userId: 'u1', projectId: 'p1', system: null, expiresAt: null, unrestricted: false, roleIds: ['r1'],
  accessRules: [{ id: 'x', service: 'compute', method: 'GET', path: '/servers' }],
};
const shapes: Record<string, ResolvedToken> = {
  unscoped: base,
  project: { ...base, project, projectDomain: domain, roles },
  domain: { ...base, domain, roles },
  system: { ...base, system: true, roles },
  trust: { ...base, project, projectDomain: domain, trust, trustor: user('u2'), trustorDomain: domain, trustee: user('u1'), roles, parentAuditId: 'a0' },
  'application credential': { ...base, project, projectDomain: domain, roles, appCred } as ResolvedToken,
};
const catalog: CatalogServiceBody[] = [
  { id: 's1', type: 'identity', name: 'keystone', endpoints: [{ id: 'e1', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: 'http://x/identity' }] },
];

test('the token body from its JSON halves is the rendered body, with and without a catalog', () => {
  for (const adminProject of [undefined, { name: 'demo', domainName: 'Default' }]) {
    const opts = adminProject ? { adminProject } : {};
    for (const [name, t] of Object.entries(shapes)) {
      const json = tokenJson(t, opts);
      assert.equal(tokenBodyText(json), JSON.stringify({ token: renderToken(t, opts) }), name);
      assert.equal(tokenBodyText(json, JSON.stringify(catalog)), JSON.stringify({ token: renderToken(t, { ...opts, catalog }) }), name);
      assert.equal(tokenBodyText(json, '[]'), JSON.stringify({ token: renderToken(t, { ...opts, catalog: [] }) }), name);
    }
  }
});

test('the catalog sits after the roles and before the application credential', () => {
  const body = JSON.parse(tokenBodyText(tokenJson(shapes['application credential']!), JSON.stringify(catalog))).token;
  const keys = Object.keys(body);
  assert.equal(keys.indexOf('catalog'), keys.indexOf('roles') + 1);
  assert.equal(keys.at(-1), 'application_credential');
  assert.deepEqual(body.catalog, catalog);
});
