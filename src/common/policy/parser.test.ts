import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FalseCheck, RuleCycleError, TrueCheck, ruleContext, type Check } from './checks.js';
import { parseListRule, parseRule } from './parser.js';

type Rec = Record<string, unknown>;

function parse(rule: string): { check: Check; warnings: string[] } {
  const warnings: string[] = [];
  const check = parseRule(rule, { warn: (m) => warnings.push(m) });
  return { check, warnings };
}

function evaluate(rule: string, target: Rec, creds: Rec, rules: Record<string, string> = {}): boolean {
  const compiled = new Map(Object.entries(rules).map(([k, v]) => [k, parseRule(v)]));
  return parseRule(rule).evaluate(target, creds, ruleContext((n) => compiled.get(n)));
}

describe('parseRule structure', () => {
  // oslo_policy/tests/test_parser.py ParseTextRuleTestCase: the same rules render the same trees.
  const cases: [string, string][] = [
    ['@ or ! or @', '(@ or ! or @)'],
    ['@ or ! and @', '(@ or (! and @))'],
    ['@ and ! or @', '((@ and !) or @)'],
    ['@ and ! and @', '(@ and ! and @)'],
    ['@ or ! or @ and !', '(@ or ! or (@ and !))'],
    ['@ or ! and @ or !', '(@ or (! and @) or !)'],
    ['@ or ! and @ and !', '(@ or (! and @ and !))'],
    ['@ and ! or @ or !', '((@ and !) or @ or !)'],
    ['@ and ! or @ and !', '((@ and !) or (@ and !))'],
    ['@ and ! and @ or !', '((@ and ! and @) or !)'],
    ['not @ and ! or @', '((not @ and !) or @)'],
    ['@ and not ! or @', '((@ and not !) or @)'],
    ['@ and ! or not @', '((@ and !) or not @)'],
    ['( @ ) and ! or ( @ )', '((@ and !) or @)'],
    ['( ( @ ) and ! ) or @', '((@ and !) or @)'],
    ['( ( @ and ! ) ) or @', '((@ and !) or @)'],
    ['( @ and ! or @ )', '((@ and !) or @)'],
    ['((@ and !) or @)', '((@ and !) or @)'],
    ['@ and ( ! or @ )', '(@ and (! or @))'],
    ['not ( @ ) and ! or @', '((not @ and !) or @)'],
    ['( not @ and ! or @ )', '((not @ and !) or @)'],
    ['not @ and ( ! or @ )', '(not @ and (! or @))'],
    ['not ( @ and ! or @ )', 'not ((@ and !) or @)'],
    ['@ and not ( ! or @ )', '(@ and not (! or @))'],
    ['not not @', 'not not @'],
    ['(@ and !) and @', '((@ and !) and @)'],
    // oslo's reducer extends a parenthesised and-group that follows an "or"
    ['@ or (! and @) and !', '(@ or (! and @ and !))'],
    ['role:admin', 'role:admin'],
    ['rule:admin_required', 'rule:admin_required'],
    ['(role:a)', 'role:a'],
    ['((((role:a))))', 'role:a'],
    ['role:a AND role:b OR NOT role:c', '((role:a and role:b) or not role:c)'],
    ['  role:a\tand\n role:b  ', '(role:a and role:b)'],
    ['project_id:%(project_id)s', 'project_id:%(project_id)s'],
    ['(project_id:%(project_id)s)', 'project_id:%(project_id)s'],
    ["'member':%(target.role.name)s", "'member':%(target.role.name)s"],
    ['role:compute:admin', 'role:compute:admin'],
  ];
  for (const [rule, expected] of cases) {
    test(`${JSON.stringify(rule)} -> ${expected}`, () => {
      const { check, warnings } = parse(rule);
      assert.equal(String(check), expected);
      assert.deepEqual(warnings, []);
    });
  }

  test('the empty rule allows', () => {
    assert.ok(parseRule('') instanceof TrueCheck);
    assert.equal(evaluate('', {}, { roles: [] }), true);
  });
});

describe('parseRule malformed rules fail closed and warn', () => {
  const malformed = [
    'role:admin or',
    'and',
    'or role:a',
    'not',
    '(role:admin',
    'role:admin)',
    '()',
    'role:a role:b',
    'role:a not role:b',
    '   ',
    "'a-string'",
    '"another-string"',
    "role:a and 'quoted'",
    'role:a and and role:b',
  ];
  for (const rule of malformed) {
    test(JSON.stringify(rule), () => {
      const { check, warnings } = parse(rule);
      assert.ok(check instanceof FalseCheck, String(check));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0] as string, /Failed to understand rule/);
      assert.equal(evaluate(rule, {}, { roles: ['a', 'b', 'admin'] }), false);
    });
  }

  test('a token without ":" denies only itself', () => {
    const { check, warnings } = parse('role:admin or nonsense');
    assert.equal(String(check), '(role:admin or !)');
    assert.equal(warnings.length, 1);
    assert.equal(evaluate('role:admin or nonsense', {}, { roles: ['admin'] }), true);
    assert.equal(evaluate('role:admin or nonsense', {}, { roles: ['member'] }), false);
  });

  test('remote http checks are not supported and deny', () => {
    const { check, warnings } = parse('http://example.com/check');
    assert.ok(check instanceof FalseCheck);
    assert.match(warnings[0] as string, /not supported/);
  });
});

describe('evaluation', () => {
  const member = { user_id: 'u1', project_id: 'p1', roles: ['member', 'reader'], is_admin: false };
  const admin = { user_id: 'u0', project_id: 'p0', roles: ['Admin'], is_admin: true, system_scope: 'all' };
  const cases: [string, Rec, Rec, boolean][] = [
    ['@', {}, member, true],
    ['!', {}, admin, false],
    ['role:member', {}, member, true],
    ['role:MEMBER', {}, member, true],
    ['role:admin', {}, admin, true], // creds hold "Admin"
    ['role:admin', {}, member, false],
    ['role:admin', {}, { user_id: 'x' }, false], // no roles at all
    ['role:%(role)s', { role: 'reader' }, member, true],
    ['role:%(role)s', {}, member, false],
    ['not role:admin', {}, member, true],
    ['not not role:admin', {}, member, false],
    ['role:admin or role:member', {}, member, true],
    ['role:admin and role:member', {}, member, false],
    // not > and > or
    ['role:admin or role:member and role:nope', {}, member, false],
    ['role:member or role:admin and role:nope', {}, member, true],
    ['(role:member or role:admin) and role:nope', {}, member, false],
    ['not role:admin and role:member', {}, member, true],
    ['not (role:admin or role:member)', {}, member, false],
    ['role:member and not role:admin or role:nope', {}, member, true],
    // generic checks: credential key on the left, target substitution on the right
    ['user_id:%(user_id)s', { user_id: 'u1' }, member, true],
    ['user_id:%(user_id)s', { user_id: 'u2' }, member, false],
    ['user_id:%(user_id)s', {}, member, false], // missing target key
    ['not user_id:%(user_id)s', {}, member, true], // oslo: the check is false, so "not" is true
    ['project_id:%(target.project.id)s', { 'target.project.id': 'p1' }, member, true], // flat key
    ['project_id:%(target.project.id)s', { target: { project: { id: 'p1' } } }, member, true], // nested
    ['project_id:%(target.project.id)s', { target: { project: { id: 'p9' } } }, member, false],
    ['project_id:%(target.project.id)s', { target: { project: {} } }, member, false],
    ['project_id:%(target.project.id)s', { target: 'p1' }, member, false],
    ['project_id:%(network:tenant_id)s', { 'network:tenant_id': 'p1' }, member, true],
    ['project_id:p1', {}, member, true], // right side literal
    ['project_id:%(project_id)s', { project_id: 'p1' }, { roles: [] }, false], // creds lack the key
    ['project_id:%(project_id)s', { project_id: null }, { project_id: null, roles: [] }, true], // None == None
    ["user_id:'u1'", {}, member, false], // oslo keeps the quotes on the right side
    ["user_id:'u1'", {}, { user_id: "'u1'", roles: [] }, true],
    ['is_admin:True', {}, admin, true],
    ['is_admin:True', {}, member, false],
    ['is_admin:1', {}, admin, false], // str(True) is "True"
    ['system_scope:all', {}, admin, true],
    ['system_scope:all', {}, member, false],
    ['domain_id:20', {}, { domain_id: 20, roles: [] }, true],
    // Python literals on the left
    ["'member':%(role)s", { role: 'member' }, {}, true],
    ["'member':%(role)s", { role: 'admin' }, {}, false],
    ['"member":%(role)s', { role: 'member' }, {}, true],
    ["'member':%(target.role.name)s", { target: { role: { name: 'member' } } }, {}, true],
    ['True:%(enabled)s', { enabled: true }, {}, true],
    ['True:%(enabled)s', { enabled: false }, {}, false],
    ['False:%(enabled)s', { enabled: false }, {}, true],
    ['None:%(x)s', { x: null }, {}, true],
    ['20:%(n)s', { n: 20 }, {}, true],
    ['0x14:%(n)s', { n: '20' }, {}, true],
    ['1.50:%(f)s', { f: '1.5' }, {}, true],
    ['-3:%(n)s', { n: -3 }, {}, true],
    // dotted credential keys, with lists matching any element
    ['token.project.domain.id:%(domain)s', { domain: 'd1' }, { roles: [], token: { project: { domain: { id: 'd1' } } } }, true],
    ['token.project.domain.id:%(domain)s', { domain: 'd2' }, { roles: [], token: { project: { domain: { id: 'd1' } } } }, false],
    ['token.roles.name:reader', {}, { roles: [], token: { roles: [{ name: 'member' }, { name: 'reader' }] } }, true],
    ['token.roles.name:admin', {}, { roles: [], token: { roles: [{ name: 'member' }, { name: 'reader' }] } }, false],
    ['a.b:x', {}, { a: { b: ['y', 'x'] } }, true],
    ['a.b.c:x', {}, { a: 'string' }, false],
    ['roles:member', {}, member, true], // the roles list is matched element-wise
    // %-formatting corner cases
    ['user_id:100%%', {}, { user_id: '100%' }, true],
    ['user_id:50%', {}, { user_id: '50%' }, false], // Python rejects the format: the check fails
    ['user_id:%(a)s-%(b)s', { a: 'x', b: 'y' }, { user_id: 'x-y' }, true],
    ['user_id:%(a)d', { a: 1 }, { user_id: '1' }, false],
    // case-insensitive keywords
    ['role:admin OR role:member', {}, member, true],
    ['NOT role:member', {}, member, false],
  ];
  for (const [rule, target, creds, expected] of cases) {
    test(`${rule} with ${JSON.stringify(target)} -> ${expected}`, () => {
      assert.equal(evaluate(rule, target, creds), expected);
    });
  }
});

describe('rule: references', () => {
  const creds = { roles: ['member'], user_id: 'u1' };

  test('resolve through the context', () => {
    const rules = { member: 'role:member', owner: 'user_id:%(user_id)s', both: 'rule:member and rule:owner' };
    assert.equal(evaluate('rule:both', { user_id: 'u1' }, creds, rules), true);
    assert.equal(evaluate('rule:both', { user_id: 'u2' }, creds, rules), false);
    assert.equal(evaluate('not rule:member', {}, creds, rules), false);
  });

  test('an undefined rule fails closed', () => {
    assert.equal(evaluate('rule:missing', {}, creds), false);
    assert.equal(evaluate('rule:missing or role:member', {}, creds), true);
  });

  test('a cycle throws RuleCycleError instead of recursing', () => {
    const rules = { a: 'rule:b', b: 'role:x or rule:a' };
    assert.throws(() => evaluate('rule:a', {}, creds, rules), RuleCycleError);
    // short-circuit before reaching the cycle
    assert.equal(evaluate('rule:a', {}, { roles: ['x'] }, rules), true);
  });

  test('the same rule may be used twice in one tree', () => {
    const rules = { m: 'role:member' };
    assert.equal(evaluate('rule:m and rule:m and (rule:m or rule:m)', {}, creds, rules), true);
  });
});

describe('parseListRule (legacy list-of-lists form)', () => {
  const ctx = ruleContext(() => undefined);
  test('outer list is or, inner list is and', () => {
    const check = parseListRule([['role:a', 'role:b'], ['role:c']]);
    assert.equal(String(check), '((role:a and role:b) or role:c)');
    assert.equal(check.evaluate({}, { roles: ['a', 'b'] }, ctx), true);
    assert.equal(check.evaluate({}, { roles: ['a'] }, ctx), false);
    assert.equal(check.evaluate({}, { roles: ['c'] }, ctx), true);
  });
  test('empty list allows; bare strings and empty inner lists', () => {
    assert.ok(parseListRule([]) instanceof TrueCheck);
    assert.equal(String(parseListRule(['role:a', []])), 'role:a');
    assert.ok(parseListRule([[]]) instanceof FalseCheck);
  });
  test('non-string entries deny and warn', () => {
    const warnings: string[] = [];
    assert.ok(parseListRule([5], { warn: (m) => warnings.push(m) }) instanceof FalseCheck);
    assert.equal(warnings.length, 1);
  });
});

test('custom check kinds take precedence', () => {
  const checks = new Map([
    ['field', (kind: string, match: string): Check => ({
      evaluate: (target) => {
        const [key, value] = match.split('=');
        return String(target[key ?? '']) === value;
      },
      toString: () => `${kind}:${match}`,
    })],
  ]);
  const check = parseRule('field:shared=true or role:admin', { checks });
  assert.equal(String(check), '(field:shared=true or role:admin)');
  assert.equal(check.evaluate({ shared: true }, { roles: [] }, ruleContext(() => undefined)), true);
  assert.equal(check.evaluate({ shared: false }, { roles: [] }, ruleContext(() => undefined)), false);
});
