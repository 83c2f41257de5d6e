import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderPolicySample } from './policy-cli.js';
import type { RuleDefault } from './types.js';

const defaults: RuleDefault[] = [
  { name: 'admin_required', checkStr: 'role:admin' },
  {
    name: 'identity:get_user',
    checkStr: "(role:reader and system_scope:all) or 'member':%(target.role.name)s or user_id:%(target.user.id)s",
    description:
      'Show details of a user. This description is deliberately long so that it has to be wrapped over more than one line of the sample.\n\n' +
      'Second paragraph.\n\n    literal: block # kept\n',
    scopeTypes: ['system', 'domain', 'project'],
    operations: [
      { path: '/v3/users/{user_id}', method: 'GET' },
      { path: '/v3/users/{user_id}', method: 'HEAD' },
    ],
  },
  {
    name: 'foo:create_bar',
    checkStr: 'role:bang',
    description: 'Create a bar.',
    operations: [{ path: '/v1/bars', method: 'POST' }],
    deprecatedRule: { name: 'foo:bar', checkStr: 'role:baz' },
    deprecatedReason: 'foo:bar is not granular enough',
    deprecatedSince: 'N',
  },
  { name: 'old:thing', checkStr: '', deprecatedForRemoval: true, deprecatedReason: 'unused', deprecatedSince: 'Z' },
  { name: 'weird"name', checkStr: 'user_id:"x\\y" # not a comment' },
];

const sample = renderPolicySample(defaults);

test('the sample parses as YAML, with everything commented out', () => {
  assert.equal(parse(sample), null);
  for (const line of sample.split('\n')) assert.ok(line === '' || line.startsWith('#'), line);
});

test('uncommenting the rule lines gives back the defaults', () => {
  const uncommented = sample
    .split('\n')
    .filter((l) => l.startsWith('#"'))
    .map((l) => l.slice(1))
    .join('\n');
  assert.deepEqual(parse(uncommented), Object.fromEntries(defaults.map((d) => [d.name, d.checkStr])));
});

test('descriptions, operations, scopes and deprecations are documented', () => {
  const lines = sample.split('\n');
  assert.ok(lines.includes('# GET  /v3/users/{user_id}'));
  assert.ok(lines.includes('# HEAD  /v3/users/{user_id}'));
  assert.ok(lines.includes('# Intended scope(s): system, domain, project'));
  assert.ok(lines.includes('# Second paragraph.'));
  assert.ok(lines.includes('#     literal: block # kept'));
  assert.ok(lines.every((l) => !l.startsWith('# ') || l.length <= 70 || l.includes('literal') || l.startsWith('#"')));
  assert.ok(lines.includes('# Show details of a user. This description is deliberately long so'));
  assert.ok(lines.includes('# DEPRECATED'));
  assert.ok(lines.includes('# "foo:bar":"role:baz" has been deprecated since N in favor of'));
  assert.ok(lines.includes('# foo:bar is not granular enough'));
  assert.ok(lines.includes('# "foo:bar": "rule:foo:create_bar"'));
  assert.ok(lines.includes('# "old:thing" has been deprecated since Z.'));
  assert.ok(lines.includes('# unused'));
});

test('no defaults, no text', () => {
  assert.equal(renderPolicySample([]), '');
});
