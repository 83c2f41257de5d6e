/**
 * Keystone's default policy rules from keystone/common/policies/access_token.py (deprecated rules
 * dropped). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const accessTokenRules: RuleDefault[] = [
  {
    name: 'identity:authorize_request_token',
    checkStr: 'rule:admin_required',
    description: 'Authorize OAUTH1 request token.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/OS-OAUTH1/authorize/{request_token_id}', method: 'PUT' }],
  },
  {
    name: 'identity:get_access_token',
    checkStr: 'rule:admin_required',
    description: 'Get OAUTH1 access token for user by access token ID.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}', method: 'GET' }],
  },
  {
    name: 'identity:get_access_token_role',
    checkStr: 'rule:admin_required',
    description: 'Get role for user OAUTH1 access token.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}/roles/{role_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_access_tokens',
    checkStr: 'rule:admin_required',
    description: 'List OAUTH1 access tokens for user.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/users/{user_id}/OS-OAUTH1/access_tokens', method: 'GET' }],
  },
  {
    name: 'identity:list_access_token_roles',
    checkStr: 'rule:admin_required',
    description: 'List OAUTH1 access token roles.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}/roles', method: 'GET' }],
  },
  {
    name: 'identity:delete_access_token',
    checkStr: 'rule:admin_required',
    description: 'Delete OAUTH1 access token.',
    scopeTypes: ['project'],
    operations: [{ path: '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}', method: 'DELETE' }],
  },
];
