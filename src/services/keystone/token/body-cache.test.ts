import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBodies } from './body-cache.js';
import { renderToken, type ResolvedToken } from './model.js';

const domain = { id: 'default', name: 'Default', enabled: true };
const token: ResolvedToken = {
  id: 'tok', payload: { userId: 'u1', methods: ['password'], auditIds: ['a1'], expiresAt: 4102444800 },
  issuedAt: 1767225600, expiresAt: 4102444800, auditId: 'a1', parentAuditId: null,
  user: { id: 'u1', name: 'alice', domainId: 'default', enabled: true, passwordExpiresAt: null, options: {} }, userDomain: domain, system: false,
  project: { id: 'p1', name: 'demo', domainId: 'default', enabled: true, isDomain: false, parentId: 'default' }, projectDomain: domain,
  roles: [{ id: 'r1', name: 'member' }],
};
const catalog = (url: string) => [{ id: 's1', type: 'identity', name: 'keystone', endpoints: [{ id: 'e1', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url }] }];

test('a token body is built once per catalog text: the same text again (a reloaded catalog) reuses it, another text rebuilds it', () => {
  const bodies = new TokenBodies({});
  const text = JSON.stringify(catalog('http://a/identity'));
  const first = bodies.withCatalog(token, text);
  assert.equal(first.toString(), JSON.stringify({ token: renderToken(token, { catalog: catalog('http://a/identity') }) }));
  const reloaded = JSON.parse(JSON.stringify({ text })).text as string; // equal text, another string
  assert.equal(bodies.withCatalog(token, reloaded), first);
  assert.equal(bodies.withCatalog(token, text), first);
  const changed = bodies.withCatalog(token, JSON.stringify(catalog('http://b/identity')));
  assert.notEqual(changed, first);
  assert.equal(changed.toString(), JSON.stringify({ token: renderToken(token, { catalog: catalog('http://b/identity') }) }));
  assert.equal(bodies.bare(token).toString(), JSON.stringify({ token: renderToken(token, {}) }));
});
