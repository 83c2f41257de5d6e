import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessagingError } from './errors.js';
import { checkVersionFormat, versionIsCompatible } from './version.js';

test('versionIsCompatible follows oslo: same major, requested minor/revision not above', () => {
  assert.equal(versionIsCompatible('1.3', '1.0'), true);
  assert.equal(versionIsCompatible('1.3', '1.3'), true);
  assert.equal(versionIsCompatible('1.3', '1.4'), false);
  assert.equal(versionIsCompatible('1.3', '2.0'), false);
  assert.equal(versionIsCompatible('2.0', '1.9'), false);
  assert.equal(versionIsCompatible('1.3.1', '1.3.2'), false);
  assert.equal(versionIsCompatible('1.3.2', '1.3.1'), true);
  assert.equal(versionIsCompatible('1.10', '1.9'), true, 'minor versions compare as numbers');
  assert.equal(versionIsCompatible(undefined, '5.0'), true);
  assert.equal(versionIsCompatible('1.0', undefined), false);
});

test('malformed versions are refused', () => {
  for (const bad of ['1', 'a.b', '1.x', '1.2.3.4', '', '-1.0']) {
    assert.throws(() => checkVersionFormat(bad), MessagingError, bad);
  }
});
