import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDomain, resourceFixture, type ResourceFixture } from '../testing/resource-fixture.js';
import { Hints } from '../lib/hints.js';

describe('ResourceManager', () => {
  let f: ResourceFixture;
  before(async () => {
    f = await resourceFixture();
    await makeDomain(f.m);
  });
  after(() => f.close());

  test('domains are projects acting as domains', async () => {
    const d = await f.m.resource.getDomain('default');
    assert.deepEqual(d, { id: 'default', name: 'Default', description: '', enabled: true, tags: [], options: {} });
    const p = await f.m.resource.getProject('default');
    assert.equal(p.is_domain, true);
    assert.equal(p.domain_id, null);
    await assert.rejects(f.m.resource.createDomain('other', { name: 'Default' }), /two projects acting as domains with the same name: Default/);
  });

  test('a project gets its domain as parent, and keeps extra attributes', async () => {
    const p = await f.m.resource.createProject('p1', { name: 'p1', domain_id: 'default', color: 'blue', tags: ['a', 'b'] });
    assert.equal(p.parent_id, 'default');
    assert.equal(p.color, 'blue');
    assert.deepEqual(p.tags, ['a', 'b']);
    await assert.rejects(f.m.resource.createProject('p1b', { name: 'p1', domain_id: 'default' }),
      (e: Error) => e.message === 'Conflict occurred attempting to store project - it is not permitted to have two projects with either the same name or same id in the same domain: name is p1, project id p1b.');
  });

  test('hierarchy: parents, subtree, as ids, leaf-only delete', async () => {
    await f.m.resource.createProject('h1', { name: 'h1', domain_id: 'default' });
    await f.m.resource.createProject('h2', { name: 'h2', domain_id: 'default', parent_id: 'h1' });
    await f.m.resource.createProject('h3', { name: 'h3', domain_id: 'default', parent_id: 'h2' });
    assert.deepEqual((await f.m.resource.listProjectParents('h3')).map((p) => p.id), ['h2', 'h1', 'default']);
    assert.deepEqual((await f.m.resource.listProjectsInSubtree('h1')).map((p) => p.id), ['h2', 'h3']);
    assert.deepEqual(await f.m.resource.parentsAsIds(await f.m.resource.getProject('h3')), { h2: { h1: { default: null } } });
    assert.deepEqual(await f.m.resource.subtreeAsIds('h1'), { h2: { h3: null } });
    await assert.rejects(f.m.resource.deleteProject('h1'), /since it is not a leaf in the hierarchy/);
    await assert.rejects(f.m.resource.updateProject('h2', { enabled: false }), /subtree contains enabled projects/);
    await assert.rejects(f.m.resource.updateProject('h2', { parent_id: 'default' }), /Update of `parent_id` is not allowed/);
    await f.m.resource.updateProject('h1', { enabled: false }, true);
    assert.equal((await f.m.resource.getProject('h3')).enabled, false);
    await assert.rejects(f.m.resource.createProject('h4', { name: 'h4', domain_id: 'default', parent_id: 'h3' }), /branch containing a disabled project: h2/);
    await f.m.resource.deleteProject('h1', true);
    await assert.rejects(f.m.resource.getProject('h3'), /Could not find project: h3\./);
    assert.ok(f.emitted.some(([n, p]) => n === 'project.deleted' && (p as { projectId: string }).projectId === 'h3'));
    assert.ok(f.emitted.some(([n, p]) => n === 'project.disabled' && (p as { projectId: string }).projectId === 'h1'));
  });

  test('max depth', async () => {
    let parent = 'default';
    for (let i = 1; i <= 5; i++) {
      await f.m.resource.createProject(`d${i}`, { name: `d${i}`, domain_id: 'default', parent_id: parent });
      parent = `d${i}`;
    }
    await assert.rejects(f.m.resource.createProject('d6', { name: 'd6', domain_id: 'default', parent_id: 'd5' }), /Max hierarchy depth reached for d5 branch/);
  });

  test('list filters and tag filters', async () => {
    await f.m.resource.createProject('t1', { name: 't1', domain_id: 'default', tags: ['x', 'y'] });
    await f.m.resource.createProject('t2', { name: 't2', domain_id: 'default', tags: ['x'] });
    const ids = async (h: Hints) => (await f.m.resource.listProjects(h)).map((p) => p.id);
    assert.deepEqual(await ids(new Hints().add('tags', 'x,y')), ['t1']);
    assert.deepEqual(await ids(new Hints().add('tags-any', 'x,y')), ['t1', 't2']);
    assert.deepEqual(await ids(new Hints().add('tags', 'x').add('not-tags', 'y')), ['t2']);
    assert.deepEqual(await ids(new Hints().add('name', 't', 'startswith').add('is_domain', '0').add('not-tags-any', 'y')), ['t2']);
    assert.deepEqual((await f.m.resource.listDomains()).map((d) => d.id), ['default']);
  });

  test('project tags API operations and immutable projects', async () => {
    await f.m.resource.createProject('tg', { name: 'tg', domain_id: 'default' });
    await f.m.resource.addProjectTag('tg', 'one');
    await f.m.resource.checkProjectTag('tg', 'one');
    await assert.rejects(f.m.resource.checkProjectTag('tg', 'two'), /Could not find project tag: two\./);
    assert.deepEqual(await f.m.resource.replaceProjectTags('tg', ['a', 'b']), ['a', 'b']);
    await f.m.resource.deleteProjectTag('tg', 'a');
    assert.deepEqual(await f.m.resource.listProjectTags('tg'), ['b']);
    await f.m.resource.updateProject('tg', { options: { immutable: true } });
    await assert.rejects(f.m.resource.updateProject('tg', { description: 'x' }), /Unable to update immutable project resource/);
    await assert.rejects(f.m.resource.deleteProject('tg'), /Unable to delete immutable project resource/);
    await f.m.resource.updateProject('tg', { options: { immutable: false } });
    await f.m.resource.deleteProject('tg');
  });

  test('a domain must be disabled before deletion, which removes its contents', async () => {
    await makeDomain(f.m, 'dom2', 'Dom2');
    await f.m.resource.createProject('dp', { name: 'dp', domain_id: 'dom2' });
    const u = await f.m.identity.createUser({ name: 'u', domain_id: 'dom2', password: 'pw' });
    await assert.rejects(f.m.resource.deleteDomain('dom2'), /Cannot delete a domain that is enabled, please disable it first\./);
    await f.m.resource.updateDomain('dom2', { enabled: false });
    assert.ok(f.emitted.some(([n]) => n === 'domain.disabled'));
    await f.m.resource.deleteDomain('dom2');
    await assert.rejects(f.m.resource.getProject('dp'));
    assert.equal(await f.m.identity.findUser(u.id), undefined);
    assert.ok(f.emitted.some(([n, p]) => n === 'domain.deleted' && (p as { domainId: string }).domainId === 'dom2'));
    assert.ok(f.emitted.some(([n, p]) => n === 'user.deleted' && (p as { userId: string }).userId === u.id));
  });

  test('a project in one domain cannot have a parent in another', async () => {
    await makeDomain(f.m, 'dom3', 'Dom3');
    await assert.rejects(f.m.resource.createProject('x', { name: 'x', domain_id: 'dom3', parent_id: 'p1' }),
      /specifies a parent in a different domain \(default\)/);
    await assert.rejects(f.m.resource.createProject('y', { name: 'y', domain_id: 'nope' }), /Could not find domain: nope\./);
  });
});
