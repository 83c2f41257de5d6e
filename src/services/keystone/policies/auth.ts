/**
 * Keystone's default policy rules from keystone/common/policies/auth.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const authRules: RuleDefault[] = [
  {
    name: 'identity:get_auth_catalog',
    checkStr: '',
    description: 'Get service catalog.',
    operations: [{ path: '/v3/auth/catalog', method: 'GET' }, { path: '/v3/auth/catalog', method: 'HEAD' }],
  },
  {
    name: 'identity:get_auth_projects',
    checkStr: '',
    description: 'List all projects a user has access to via role assignments.',
    operations: [{ path: '/v3/auth/projects', method: 'GET' }, { path: '/v3/auth/projects', method: 'HEAD' }],
  },
  {
    name: 'identity:get_auth_domains',
    checkStr: '',
    description: 'List all domains a user has access to via role assignments.',
    operations: [{ path: '/v3/auth/domains', method: 'GET' }, { path: '/v3/auth/domains', method: 'HEAD' }],
  },
  {
    name: 'identity:get_auth_system',
    checkStr: '',
    description: 'List systems a user has access to via role assignments.',
    operations: [{ path: '/v3/auth/system', method: 'GET' }, { path: '/v3/auth/system', method: 'HEAD' }],
  },
];
