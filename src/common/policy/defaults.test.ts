import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleContext } from './checks.js';
import * as personas from './defaults.js';
import { parseRule } from './parser.js';
import type { Credentials } from './types.js';

const { policyAnd, policyOr, groupCheckStr, ...constants } = personas;

test('every persona parses cleanly', () => {
  for (const [name, checkStr] of Object.entries(constants)) {
    const warnings: string[] = [];
    parseRule(checkStr, { warn: (m) => warnings.push(m) });
    assert.deepEqual(warnings, [], name);
  }
});

test('upstream spellings', () => {
  assert.equal(personas.ADMIN, 'role:admin');
  assert.equal(personas.SYSTEM_ADMIN, 'role:admin and system_scope:all');
  assert.equal(personas.SYSTEM_READER, 'role:reader and system_scope:all');
  assert.equal(personas.PROJECT_MEMBER, 'role:member and project_id:%(project_id)s');
  assert.equal(personas.PROJECT_READER, 'role:reader and project_id:%(project_id)s');
  assert.equal(personas.SYSTEM_OR_PROJECT_READER, '(role:reader and system_scope:all) or (role:reader and project_id:%(project_id)s)');
  assert.equal(personas.PROJECT_MEMBER_OR_ADMIN, '(role:member and project_id:%(project_id)s) or role:admin');
});

test('policyOr / policyAnd group their operands', () => {
  assert.equal(policyOr('role:a', 'role:b or role:c'), 'role:a or (role:b or role:c)');
  assert.equal(policyAnd('role:a or role:b', 'role:c'), '(role:a or role:b) and role:c');
  assert.equal(policyOr('', 'role:a'), '@ or role:a');
  assert.equal(groupCheckStr('  role:a  '), 'role:a');
  // grouping changes the meaning here: without it "and" would bind tighter
  const creds = { roles: ['a'] };
  const allowed = (s: string): boolean => parseRule(s).evaluate({}, creds, ruleContext(() => undefined));
  assert.equal(allowed(policyAnd('role:a or role:b', 'role:c')), false);
  assert.equal(allowed('role:a or role:b and role:c'), true);
});

describe('personas against typical tokens', () => {
  const target = { project_id: 'p1', user_id: 'u1' };
  const tokens: Record<string, Credentials> = {
    systemAdmin: { user_id: 'u9', roles: ['admin', 'member', 'reader'], system_scope: 'all' },
    systemReader: { user_id: 'u8', roles: ['reader'], system_scope: 'all' },
    projectAdmin: { user_id: 'u7', project_id: 'p9', roles: ['admin', 'member', 'reader'] },
    owner: { user_id: 'u1', project_id: 'p1', roles: ['member', 'reader'] },
    ownerReader: { user_id: 'u2', project_id: 'p1', roles: ['reader'] },
    manager: { user_id: 'u3', project_id: 'p1', roles: ['manager', 'member', 'reader'] },
    stranger: { user_id: 'u4', project_id: 'p2', roles: ['member', 'reader'] },
    service: { user_id: 'nova', project_id: 'service', roles: ['service'] },
  };
  const expectations: [string, string[]][] = [
    ['SYSTEM_ADMIN', ['systemAdmin']],
    ['SYSTEM_READER', ['systemAdmin', 'systemReader']],
    ['PROJECT_MEMBER', ['owner', 'manager']],
    ['PROJECT_READER', ['owner', 'ownerReader', 'manager']],
    ['PROJECT_MANAGER', ['manager']],
    ['PROJECT_MEMBER_OR_ADMIN', ['systemAdmin', 'projectAdmin', 'owner', 'manager']],
    ['SYSTEM_OR_PROJECT_READER', ['systemAdmin', 'systemReader', 'owner', 'ownerReader', 'manager']],
    ['OWNER', ['owner']],
    ['SERVICE_OR_ADMIN', ['systemAdmin', 'projectAdmin', 'service']],
    ['RULE_NOBODY', []],
  ];
  for (const [name, allowed] of expectations) {
    test(name, () => {
      const check = parseRule(constants[name as keyof typeof constants]);
      const got = Object.entries(tokens)
        .filter(([, creds]) => check.evaluate(target, creds, ruleContext(() => undefined)))
        .map(([who]) => who);
      assert.deepEqual(got, allowed);
    });
  }
});
