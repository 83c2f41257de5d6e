import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invertTimestamp, parseVersionsObjectName, userContainerOf, versionsContainerName, versionsObjectName, versionsObjectPrefix } from './reserved-names.js';

test('reserved names: object_versioning\'s names as Swift builds them (test_object_versioning.py)', () => {
  assert.equal(versionsContainerName('c'), '\x00versions\x00c');
  assert.equal(userContainerOf('\x00versions\x00c'), 'c');
  assert.equal(userContainerOf('\x00other\x00c'), undefined);
  assert.equal(userContainerOf('c'), undefined);
  assert.equal(versionsObjectPrefix('o'), '\x00o\x00');
  assert.equal(versionsObjectName('o', '0000000001.00000'), '\x00o\x009999999998.99999');
  assert.equal(versionsObjectName('o', '1.0'), '\x00o\x009999999998.99999');
  assert.equal(invertTimestamp('9999999999.99999'), '0000000000.00000');
  assert.ok(versionsObjectName('o', '1700000001.00000') < versionsObjectName('o', '1700000000.00000'), 'newer versions sort first');
  assert.deepEqual(parseVersionsObjectName('\x00o\x009999999998.99999'), { object: 'o', versionId: '0000000001.00000' });
  assert.deepEqual(parseVersionsObjectName(versionsObjectName('a/b c', '1700000000.12345')), { object: 'a/b c', versionId: '1700000000.12345' });
  assert.equal(parseVersionsObjectName('o'), undefined);
  assert.equal(parseVersionsObjectName('\x00o\x00nope'), undefined);
  assert.throws(() => versionsObjectName('o', 'bogus'));
});
