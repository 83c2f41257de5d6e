import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Forbidden } from '../errors.js';
import { Enforcer, tokenScope } from './enforcer.js';
import {
  DuplicatePolicyError,
  InvalidRuleDefault,
  InvalidScope,
  PolicyFileError,
  PolicyNotAuthorized,
  PolicyNotRegistered,
} from './errors.js';
import type { Credentials, RuleDefault } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'nubo-policy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
function policyFile(content: string, ext = 'yaml'): string {
  const path = join(dir, `policy-${++fileCount}.${ext}`);
  writeFileSync(path, content);
  return path;
}

const projectMember: Credentials = { user_id: 'u1', project_id: 'p1', domain_id: null, roles: ['member', 'reader'] };
const projectAdmin: Credentials = { user_id: 'u0', project_id: 'p0', roles: ['admin', 'member', 'reader'] };
const systemAdmin: Credentials = { user_id: 'u0', roles: ['admin'], system_scope: 'all' };
const domainReader: Credentials = { user_id: 'u2', domain_id: 'd1', roles: ['reader'] };

const defaults: RuleDefault[] = [
  { name: 'admin_required', checkStr: 'role:admin' },
  { name: 'owner', checkStr: 'project_id:%(project_id)s' },
  { name: 'compute:get', checkStr: 'rule:admin_required or rule:owner', scopeTypes: ['project'] },
  { name: 'compute:list_all', checkStr: 'role:reader and system_scope:all', scopeTypes: ['system'] },
  { name: 'identity:list_users', checkStr: 'role:reader', scopeTypes: ['system', 'domain'] },
  { name: 'anyone', checkStr: '' },
];

describe('enforce and authorize', () => {
  const enforcer = new Enforcer({ defaults });

  test('evaluates registered rules through rule: references', () => {
    assert.equal(enforcer.enforce('compute:get', { project_id: 'p1' }, projectMember), true);
    assert.equal(enforcer.enforce('compute:get', { project_id: 'p2' }, projectMember), false);
    assert.equal(enforcer.enforce('compute:get', { project_id: 'p2' }, projectAdmin), true);
    assert.equal(enforcer.enforce('anyone', {}, projectMember), true);
    assert.deepEqual(enforcer.warnings, []);
  });

  test('authorize throws PolicyNotAuthorized, a 403 Forbidden with oslo/nova message', () => {
    enforcer.authorize('compute:get', { project_id: 'p1' }, projectMember);
    const err = captureError(() => enforcer.authorize('compute:get', { project_id: 'p2' }, projectMember));
    assert.ok(err instanceof PolicyNotAuthorized);
    assert.ok(err instanceof Forbidden);
    assert.equal(err.status, 403);
    assert.equal(err.message, "Policy doesn't allow compute:get to be performed.");
    assert.equal(err.rule, 'compute:get');
  });

  test('unregistered rules are a programming error', () => {
    for (const call of [
      () => enforcer.enforce('compute:nope', {}, projectMember),
      () => enforcer.authorize('compute:nope', {}, projectMember),
    ]) {
      const err = captureError(call);
      assert.ok(err instanceof PolicyNotRegistered);
      assert.ok(!(err instanceof Forbidden));
      assert.equal(err.message, 'Policy compute:nope has not been registered');
    }
  });

  test('rules() lists the check strings in force', () => {
    assert.deepEqual(
      [...enforcer.rules()],
      defaults.map((d) => [d.name, d.checkStr]),
    );
    assert.deepEqual(enforcer.defaults, defaults);
  });

  test('creds are not modified', () => {
    const creds: Credentials = { roles: ['reader'], system_scope: 'all' };
    new Enforcer({ defaults: [{ name: 'sys', checkStr: 'system:all' }] }).enforce('sys', {}, creds);
    assert.equal('system' in creds, false);
  });

  test('system_scope is also visible as creds.system, as in oslo', () => {
    const e = new Enforcer({ defaults: [{ name: 'sys', checkStr: 'system:all' }] });
    assert.equal(e.enforce('sys', {}, systemAdmin), true);
    assert.equal(e.enforce('sys', {}, projectAdmin), false);
  });
});

describe('validation of defaults', () => {
  test('duplicate names', () => {
    assert.throws(
      () => new Enforcer({ defaults: [{ name: 'a', checkStr: '@' }, { name: 'a', checkStr: '!' }] }),
      DuplicatePolicyError,
    );
  });
  test('bad scope types and incomplete deprecations', () => {
    assert.throws(
      () => new Enforcer({ defaults: [{ name: 'a', checkStr: '@', scopeTypes: ['project', 'project'] }] }),
      InvalidRuleDefault,
    );
    assert.throws(
      () => new Enforcer({ defaults: [{ name: 'a', checkStr: '@', scopeTypes: ['galaxy' as 'system'] }] }),
      InvalidRuleDefault,
    );
    assert.throws(
      () => new Enforcer({ defaults: [{ name: 'a', checkStr: '@', deprecatedForRemoval: true }] }),
      InvalidRuleDefault,
    );
  });
});

describe('scope enforcement', () => {
  test('tokenScope', () => {
    assert.equal(tokenScope(systemAdmin), 'system');
    assert.equal(tokenScope(domainReader), 'domain');
    assert.equal(tokenScope(projectMember), 'project');
    assert.equal(tokenScope({ roles: [] }), 'project'); // unscoped: treated as project, as in oslo
    assert.equal(tokenScope({ roles: [], system: 'all' }), 'system');
  });

  const enforcer = new Enforcer({ defaults });

  test('a mismatched scope denies even when the check string would allow', () => {
    // project admin passes "rule:admin_required" but compute:list_all is system-only
    assert.equal(enforcer.enforce('compute:list_all', {}, { ...projectAdmin, roles: ['reader'] }), false);
    assert.equal(enforcer.enforce('compute:list_all', {}, { ...systemAdmin, roles: ['reader'] }), true);
    assert.equal(enforcer.enforce('compute:get', { project_id: 'p0' }, systemAdmin), false);
    assert.equal(enforcer.enforce('identity:list_users', {}, domainReader), true);
    assert.equal(enforcer.enforce('identity:list_users', {}, { ...projectMember }), false);
  });

  test('authorize throws InvalidScope (a PolicyNotAuthorized, 403)', () => {
    const err = captureError(() => enforcer.authorize('compute:get', { project_id: 'p0' }, systemAdmin));
    assert.ok(err instanceof InvalidScope);
    assert.ok(err instanceof PolicyNotAuthorized);
    assert.ok(err instanceof Forbidden);
    assert.equal(err.status, 403);
    assert.equal(err.message, "Policy doesn't allow compute:get to be performed.");
    assert.equal(err.tokenScope, 'system');
    assert.deepEqual(err.scopeTypes, ['project']);
    assert.equal(
      err.detail,
      `"compute:get": "rule:admin_required or rule:owner" requires a scope of ['project'], request was made with system scope.`,
    );
  });

  test('a denial inside the right scope is PolicyNotAuthorized, not InvalidScope', () => {
    const err = captureError(() => enforcer.authorize('compute:get', { project_id: 'p9' }, projectMember));
    assert.ok(err instanceof PolicyNotAuthorized);
    assert.ok(!(err instanceof InvalidScope));
  });

  test('enforceScope: false ignores scope types', () => {
    const lax = new Enforcer({ defaults, enforceScope: false });
    assert.equal(lax.enforce('compute:get', { project_id: 'p0' }, systemAdmin), true);
    assert.equal(lax.enforce('identity:list_users', {}, projectMember), true);
  });
});

describe('policy file overrides', () => {
  test('YAML overrides a default, defines new rules and leaves the rest', () => {
    const path = policyFile(
      [
        '# operator overrides',
        '"compute:get": "rule:admin_required or rule:readers"',
        'readers: "role:reader"',
        '"not:registered": "!"',
      ].join('\n'),
    );
    const e = new Enforcer({ defaults, policyFile: path });
    assert.equal(e.enforce('compute:get', { project_id: 'other' }, projectMember), true);
    assert.equal(e.rules().get('compute:get'), 'rule:admin_required or rule:readers');
    assert.equal(e.rules().get('readers'), 'role:reader');
    assert.equal(e.rules().get('admin_required'), 'role:admin');
    assert.equal(e.rules().get('not:registered'), '!');
    // file-only names are rules, not registered operations
    assert.throws(() => e.enforce('readers', {}, projectMember), PolicyNotRegistered);
    assert.deepEqual(e.warnings, []);
  });

  test('JSON works too (including tab indentation YAML would reject)', () => {
    const path = policyFile('{\n\t"compute:get": "role:member",\n\t"anyone": "!"\n}', 'json');
    const e = new Enforcer({ defaults, policyFile: path });
    assert.equal(e.enforce('compute:get', { project_id: 'other' }, projectMember), true);
    assert.equal(e.enforce('anyone', {}, projectAdmin), false);
  });

  test('a missing file means defaults only; an empty file too', () => {
    const missing = new Enforcer({ defaults, policyFile: join(dir, 'absent.yaml') });
    assert.deepEqual([...missing.rules()], defaults.map((d) => [d.name, d.checkStr]));
    const empty = new Enforcer({ defaults, policyFile: policyFile('# nothing here\n') });
    assert.deepEqual([...empty.rules()], defaults.map((d) => [d.name, d.checkStr]));
  });

  test('an empty value allows (oslo treats null like "")', () => {
    const e = new Enforcer({ defaults, policyFile: policyFile('"compute:list_all":\n') });
    assert.equal(e.enforce('compute:list_all', {}, { roles: [], system_scope: 'all' }), true);
  });

  test('the legacy list-of-lists form', () => {
    const e = new Enforcer({ defaults, policyFile: policyFile('{"compute:get": [["role:a", "role:b"], ["role:c"]]}', 'json') });
    assert.equal(e.enforce('compute:get', {}, { roles: ['a', 'b'] }), true);
    assert.equal(e.enforce('compute:get', {}, { roles: ['a'] }), false);
    assert.equal(e.rules().get('compute:get'), '((role:a and role:b) or role:c)');
  });

  test('a malformed override denies and is reported', () => {
    const seen: string[] = [];
    const path = policyFile('"compute:get": "role:admin or"\n');
    const e = new Enforcer({ defaults, policyFile: path, onWarning: (m) => seen.push(m) });
    assert.equal(e.enforce('compute:get', { project_id: 'p0' }, projectAdmin), false);
    assert.equal(e.warnings.length, 1);
    assert.match(e.warnings[0] as string, /Policy "compute:get" in .*: Failed to understand rule role:admin or/);
    assert.deepEqual(seen, e.warnings);
  });

  test('redundant overrides and duplicate keys are reported', () => {
    const path = policyFile('admin_required: "role:admin"\nowner: "!"\nowner: "role:x"\n');
    const e = new Enforcer({ defaults, policyFile: path });
    assert.equal(e.rules().get('owner'), 'role:x'); // the last definition wins, as with PyYAML
    assert.equal(e.warnings.length, 2);
    assert.ok(e.warnings.some((w) => /owner more than once/.test(w)));
    assert.ok(e.warnings.some((w) => /"admin_required" in the policy file is the same as the default/.test(w)));
  });

  test('files that are not a map of strings are rejected', () => {
    for (const content of ['- a\n- b\n', 'a: 5\n', 'a: {b: c}\n', 'a: [b\n']) {
      assert.throws(() => new Enforcer({ defaults, policyFile: policyFile(content) }), PolicyFileError, content);
    }
  });

  test('reload() picks up changes; a broken file keeps the rules in force', () => {
    const path = policyFile('"compute:get": "role:nobody"\n');
    const e = new Enforcer({ defaults, policyFile: path });
    assert.equal(e.enforce('compute:get', { project_id: 'p1' }, projectMember), false);

    writeFileSync(path, '"compute:get": "role:member"\n');
    assert.equal(e.enforce('compute:get', { project_id: 'x' }, projectMember), false, 'no reload yet');
    e.reload();
    assert.equal(e.enforce('compute:get', { project_id: 'x' }, projectMember), true);

    writeFileSync(path, '"compute:get": [unclosed\n');
    assert.throws(() => e.reload(), PolicyFileError);
    assert.equal(e.enforce('compute:get', { project_id: 'x' }, projectMember), true);

    rmSync(path);
    e.reload();
    assert.equal(e.rules().get('compute:get'), 'rule:admin_required or rule:owner');
  });

  test('reload() recomputes warnings', () => {
    const path = policyFile('"compute:get": "role:admin or"\n');
    const e = new Enforcer({ defaults, policyFile: path });
    assert.equal(e.warnings.length, 1);
    writeFileSync(path, '"compute:get": "role:admin"\n');
    e.reload();
    assert.deepEqual(e.warnings, []);
  });
});

describe('reference problems', () => {
  test('a reference cycle denies, warns, and does not hang', () => {
    const path = policyFile('admin_required: "rule:compute:get"\n');
    const e = new Enforcer({ defaults, policyFile: path });
    // compute:get -> admin_required -> compute:get
    assert.equal(e.enforce('compute:get', { project_id: 'p1' }, projectMember), false);
    assert.equal(e.enforce('compute:get', { project_id: 'p0' }, projectAdmin), false);
    assert.ok(e.warnings.some((w) => /admin_required, compute:get are part of a cyclical reference/.test(w)
      || /compute:get, admin_required are part of a cyclical reference/.test(w)), e.warnings.join('\n'));
  });

  test('a cycle under "not" still denies', () => {
    const e = new Enforcer({ defaults: [{ name: 'x', checkStr: 'not rule:x' }, { name: 'y', checkStr: 'not rule:x' }] });
    assert.equal(e.enforce('x', {}, projectMember), false);
    assert.equal(e.enforce('y', {}, projectMember), false);
    assert.match(e.warnings.join('\n'), /x, y are part of a cyclical reference/);
  });

  test('undefined references deny and warn', () => {
    const e = new Enforcer({ defaults: [{ name: 'a', checkStr: 'rule:missing or role:admin' }] });
    assert.equal(e.enforce('a', {}, projectMember), false);
    assert.equal(e.enforce('a', {}, projectAdmin), true);
    assert.deepEqual(e.warnings, ['Policies a reference a rule that is not defined']);
  });

  test('undefined references fall back to the "default" rule when one is defined', () => {
    const e = new Enforcer({ defaults: [{ name: 'default', checkStr: 'role:member' }, { name: 'a', checkStr: 'rule:missing' }] });
    assert.equal(e.enforce('a', {}, projectMember), true);
    assert.equal(e.enforce('a', {}, { roles: [] }), false);
    const custom = new Enforcer({ defaults: [{ name: 'fallback', checkStr: '@' }, { name: 'a', checkStr: 'rule:missing' }], defaultRule: 'fallback' });
    assert.equal(custom.enforce('a', {}, { roles: [] }), true);
  });

  test('a cycle through the default rule is caught while evaluating', () => {
    const e = new Enforcer({ defaults: [{ name: 'default', checkStr: 'rule:missing' }, { name: 'a', checkStr: 'rule:default' }] });
    assert.equal(e.enforce('a', {}, projectAdmin), false);
    assert.equal(e.enforce('a', {}, projectAdmin), false);
    const cycleWarnings = e.warnings.filter((w) => /cyclical/.test(w));
    assert.equal(cycleWarnings.length, 1, 'reported once');
  });
});

describe('deprecated rules', () => {
  const renamed: RuleDefault = {
    name: 'foo:create_bar',
    checkStr: 'role:bang',
    scopeTypes: ['project'],
    deprecatedRule: { name: 'foo:bar', checkStr: 'role:baz' },
    deprecatedReason: '"foo:bar" is not granular enough',
    deprecatedSince: 'N',
  };
  const changed: RuleDefault = {
    name: 'foo:delete_bar',
    checkStr: 'role:bang',
    deprecatedRule: { name: 'foo:delete_bar', checkStr: 'role:fizz', deprecatedReason: 'bang is better', deprecatedSince: 'M' },
  };
  const bang = { roles: ['bang'], project_id: 'p' };
  const fizz = { roles: ['fizz'], project_id: 'p' };

  test('enforceNewDefaults (the default) uses only the new check string', () => {
    const e = new Enforcer({ defaults: [renamed, changed] });
    assert.equal(e.enforce('foo:delete_bar', {}, bang), true);
    assert.equal(e.enforce('foo:delete_bar', {}, fizz), false);
    assert.deepEqual(e.warnings, []);
  });

  test('enforceNewDefaults: false allows new or old, and warns', () => {
    const e = new Enforcer({ defaults: [renamed, changed], enforceNewDefaults: false });
    assert.equal(e.enforce('foo:delete_bar', {}, bang), true);
    assert.equal(e.enforce('foo:delete_bar', {}, fizz), true);
    assert.equal(e.enforce('foo:delete_bar', {}, { roles: ['other'] }), false);
    assert.equal(e.rules().get('foo:delete_bar'), 'role:bang or role:fizz');
    assert.ok(e.warnings.includes(
      'Policy "foo:delete_bar":"role:fizz" was deprecated in M in favor of "foo:delete_bar":"role:bang". ' +
        'Reason: bang is better. Either ensure your deployment is ready for the new default or copy/paste ' +
        'the deprecated policy into your policy file and maintain it manually.',
    ));
  });

  test('the fallbacks to deprecated defaults are logged as one line, each kept in warnings', () => {
    const logged: string[] = [];
    const more: RuleDefault[] = ['a', 'b', 'c'].map((n) => ({ ...changed, name: `foo:${n}`, deprecatedRule: { ...changed.deprecatedRule!, name: `foo:${n}` } }));
    const e = new Enforcer({ defaults: [changed, ...more], enforceNewDefaults: false, onWarning: (m) => logged.push(m) });
    assert.equal(e.warnings.length, 4);
    assert.equal(logged.length, 1);
    assert.match(logged[0]!, /^4 policy rules \("foo:delete_bar", "foo:a", "foo:b", \.\.\.\) also accept their deprecated default/);
    e.reload();
    assert.equal(logged.length, 2, 'a reload reports again');
    const quiet = new Enforcer({ defaults: [changed], enforceNewDefaults: false, suppressDefaultChangeWarnings: true, onWarning: (m) => logged.push(m) });
    assert.equal(quiet.enforce('foo:delete_bar', {}, fizz), true);
    assert.equal(logged.length, 2, 'suppress_default_change_warnings: not reported');
  });

  test('an override of the new name wins over the deprecation fallback', () => {
    const path = policyFile('"foo:delete_bar": "role:other"\n');
    const e = new Enforcer({ defaults: [changed], enforceNewDefaults: false, policyFile: path });
    assert.equal(e.enforce('foo:delete_bar', {}, fizz), false);
    assert.equal(e.enforce('foo:delete_bar', {}, { roles: ['other'] }), true);
  });

  test('an override of the old name of a renamed rule is honoured, with a warning', () => {
    const path = policyFile('"foo:bar": "role:legacy"\n');
    const e = new Enforcer({ defaults: [renamed], policyFile: path });
    assert.equal(e.enforce('foo:create_bar', {}, { roles: ['legacy'] }), true);
    assert.equal(e.enforce('foo:create_bar', {}, bang), false);
    assert.equal(e.rules().get('foo:create_bar'), 'role:legacy');
    assert.match(e.warnings.join('\n'), /Policy "foo:bar":"role:baz" was deprecated in N in favor of "foo:create_bar":"role:bang"/);
  });

  test('an old-name override equal to the old default or aliasing the new rule is not copied', () => {
    for (const content of ['"foo:bar": "role:baz"\n', '"foo:bar": "rule:foo:create_bar"\n']) {
      const e = new Enforcer({ defaults: [renamed], policyFile: policyFile(content) });
      assert.equal(e.enforce('foo:create_bar', {}, bang), true, content);
      assert.equal(e.rules().get('foo:create_bar'), 'role:bang');
    }
  });

  test('deprecated for removal: overriding it warns', () => {
    const def: RuleDefault = { name: 'old:thing', checkStr: '@', deprecatedForRemoval: true, deprecatedReason: 'gone', deprecatedSince: 'Z' };
    assert.deepEqual(new Enforcer({ defaults: [def] }).warnings, []);
    const e = new Enforcer({ defaults: [def], policyFile: policyFile('"old:thing": "!"\n') });
    assert.deepEqual(e.warnings, [
      'Policy "old:thing":"@" was deprecated for removal in Z. Reason: gone. Its value may be silently ignored in the future.',
    ]);
  });

  test('scope types still apply to a deprecated rule', () => {
    const e = new Enforcer({ defaults: [renamed], enforceNewDefaults: false });
    assert.equal(e.enforce('foo:create_bar', {}, { roles: ['baz'], project_id: 'p' }), true);
    assert.equal(e.enforce('foo:create_bar', {}, { roles: ['baz'], system_scope: 'all' }), false);
  });
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new assert.AssertionError({ message: 'expected an error' });
}
