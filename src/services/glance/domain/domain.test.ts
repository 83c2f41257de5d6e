import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BadRequest, Conflict, Forbidden, UnsupportedMediaType } from '../../../common/errors.js';
import type { Image, ImageStatus } from './image.js';
import { parsePatch, patchDraft } from './json-patch.js';
import { parseImageListQuery, splitFilterOp, splitFilterValueForQuotes } from './list-query.js';
import { IMAGE_STATUSES } from './image.js';
import { transition, VALID_TRANSITIONS } from './status.js';
import { InvalidImageStatusTransition, MissingImageFormats } from '../errors.js';

function image(status: ImageStatus, formats = true): Image {
  return {
    id: 'x', name: null, status, visibility: 'shared', protected: false, os_hidden: false, min_disk: 0, min_ram: 0, owner: 'p',
    disk_format: formats ? 'raw' : null, container_format: formats ? 'bare' : null, size: 10, virtual_size: 10, checksum: null,
    os_hash_algo: null, os_hash_value: null, created_at: '', updated_at: '', properties: {}, tags: [], locations: [],
  };
}

describe('image status machine', () => {
  test('every listed transition is allowed, every other refused', () => {
    for (const from of IMAGE_STATUSES) {
      for (const to of IMAGE_STATUSES) {
        const img = image(from);
        if (VALID_TRANSITIONS[from].includes(to)) {
          transition(img, to);
          assert.equal(img.status, to);
        } else {
          assert.throws(() => transition(img, to), InvalidImageStatusTransition, `${from} -> ${to}`);
        }
      }
    }
  });

  test('upload paths: queued -> saving -> active, queued -> uploading -> importing -> active', () => {
    const a = image('queued');
    for (const s of ['saving', 'active', 'deactivated', 'active', 'deleted'] as const) transition(a, s);
    const b = image('queued');
    for (const s of ['uploading', 'importing', 'active'] as const) transition(b, s);
    assert.throws(() => transition(image('active'), 'saving'), Conflict);
    assert.throws(() => transition(image('saving'), 'saving'), Conflict);
  });

  test('data states need both formats; back to queued forgets the size', () => {
    assert.throws(() => transition(image('queued', false), 'saving'), (e: Error) => e instanceof MissingImageFormats && e instanceof BadRequest && /Properties disk_format, container_format/.test(e.message));
    const onlyDisk = image('queued', false);
    onlyDisk.disk_format = 'raw';
    assert.throws(() => transition(onlyDisk, 'saving'), /Property container_format must be set/);
    transition(image('queued', false), 'uploading');
    const s = image('saving');
    transition(s, 'queued');
    assert.equal(s.size, null);
    assert.equal(s.virtual_size, null);
  });
});

describe('image JSON-patch documents', () => {
  const ok = (): void => undefined;
  test('media types', () => {
    assert.equal(patchDraft('application/openstack-images-v2.1-json-patch'), 10);
    assert.equal(patchDraft('application/openstack-images-v2.0-json-patch; charset=utf-8'), 4);
    assert.throws(() => patchDraft('application/json-patch+json'), (e: Error) => e instanceof UnsupportedMediaType && Boolean((e as UnsupportedMediaType).headers['accept-patch']));
  });

  test('2.1 and 2.0 forms, pointer escapes', () => {
    assert.deepEqual(parsePatch([{ op: 'replace', path: '/a~1b~0c', value: 'v' }], 10, ok), [{ op: 'replace', path: ['a/b~c'], value: 'v', draft: 10 }]);
    assert.deepEqual(parsePatch([{ remove: '/x' }], 4, ok), [{ op: 'remove', path: ['x'], draft: 4 }]);
    assert.deepEqual(parsePatch([{ op: 'add', path: '/locations/-', value: { url: 'u', metadata: {} } }], 10, ok)[0]!.path, ['locations', '-']);
  });

  test('malformed documents are 400, read-only and reserved attributes 403', () => {
    const bad: Array<[unknown, 4 | 10, typeof BadRequest | typeof Forbidden]> = [
      [undefined, 10, BadRequest], [{}, 10, BadRequest], [['x'], 10, BadRequest], [[{ path: '/a' }], 10, BadRequest],
      [[{ op: 'test', path: '/a' }], 10, BadRequest], [[{ op: 'add', value: 1 }], 10, BadRequest], [[{ op: 'add', path: '/a' }], 10, BadRequest],
      [[{ op: 'add', path: 'a', value: 1 }], 10, BadRequest], [[{ op: 'add', path: '/a//b', value: 1 }], 10, BadRequest],
      [[{ op: 'add', path: '/a/', value: 1 }], 10, BadRequest], [[{ op: 'add', path: '/a~2', value: 1 }], 10, BadRequest],
      [[{ op: 'add', path: '/a/b', value: 1 }], 10, BadRequest], [[{ add: '/a', remove: '/b' }], 4, BadRequest], [[{ value: 1 }], 4, BadRequest],
      [[{ op: 'replace', path: '/checksum', value: 'x' }], 10, Forbidden], [[{ op: 'remove', path: '/deleted_at' }], 10, Forbidden],
      [[{ op: 'add', path: '/os_glance_x', value: 'x' }], 10, Forbidden],
    ];
    for (const [body, draft, cls] of bad) assert.throws(() => parsePatch(body, draft, ok), cls, JSON.stringify(body));
  });

  test('values are checked against the schema (not for remove)', () => {
    const seen: unknown[] = [];
    parsePatch([{ op: 'add', path: '/name', value: 'n' }, { op: 'remove', path: '/x' }], 10, (p) => seen.push(p));
    assert.deepEqual(seen, [{ name: 'n' }]);
  });
});

describe('list query parsing', () => {
  const limits = { limitDefault: 25, limitMax: 1000 };
  test('filter operators and quoted in: lists', () => {
    assert.deepEqual(splitFilterOp('gte:2020-01-01T00:00:00Z'), ['gte', '2020-01-01T00:00:00Z']);
    assert.deepEqual(splitFilterOp('2020-01-01T00:00:00+01:00'), ['eq', '2020-01-01T00:00:00+01:00']);
    assert.deepEqual(splitFilterValueForQuotes('a,"b,c",d'), ['a', 'b,c', 'd']);
    assert.throws(() => splitFilterValueForQuotes('a,"b'), BadRequest);
  });

  test('limits, sort defaults and the sort= form', () => {
    const q = parseImageListQuery([['limit', '5000'], ['sort', 'name:asc,size']], limits);
    assert.equal(q.limit, 1000);
    assert.deepEqual(q.sortKeys, ['name', 'size']);
    assert.deepEqual(q.sortDirs, ['asc', 'desc']);
    const d = parseImageListQuery([], limits);
    assert.equal(d.limit, 25);
    assert.deepEqual([d.sortKeys, d.sortDirs], [['created_at'], ['desc']]);
    assert.throws(() => parseImageListQuery([['sort_key', 'name'], ['sort_key', 'size'], ['sort_key', 'id'], ['sort_dir', 'asc'], ['sort_dir', 'desc']], limits), /Number of sort dirs/);
  });

  test('created_at operators compare the whole-second times Glance shows', () => {
    const q = parseImageListQuery([['created_at', 'gt:2020-01-01T00:00:00Z'], ['updated_at', 'eq:2020-01-01T00:00:00.5Z']], limits);
    assert.deepEqual(q.conditions, [
      { kind: 'compare', column: 'created_at', op: 'gte', value: '2020-01-01T00:00:01.000Z' },
      { kind: 'never' },
    ]);
  });

  test('unknown keys are property filters, known columns are column filters', () => {
    const q = parseImageListQuery([['hw_disk_bus', 'scsi'], ['size_min', '10'], ['owner', 'p'], ['protected', 'true']], limits);
    assert.deepEqual(q.properties, { hw_disk_bus: 'scsi' });
    assert.equal(q.conditions.length, 3);
    assert.throws(() => parseImageListQuery([['size_max', 'big']], limits), /non-numeric/);
  });
});
