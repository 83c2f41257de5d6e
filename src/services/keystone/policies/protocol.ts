/**
 * Keystone's default policy rules from keystone/common/policies/protocol.py (with the
 * deprecated rules Zed still falls back to). Generated from upstream's rule definitions; check strings are spelled out in full.
 */
import type { RuleDefault } from '../../../common/policy/index.js';

export const protocolRules: RuleDefault[] = [
  {
    name: 'identity:create_protocol',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:create_protocol', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated protocol API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Create federated protocol.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', method: 'PUT' }],
  },
  {
    name: 'identity:update_protocol',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:update_protocol', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated protocol API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Update federated protocol.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', method: 'PATCH' }],
  },
  {
    name: 'identity:get_protocol',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:get_protocol', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated protocol API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Get federated protocol.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', method: 'GET' }],
  },
  {
    name: 'identity:list_protocols',
    checkStr: 'rule:admin_required or (role:reader and system_scope:all)',
    deprecatedRule: { name: 'identity:list_protocols', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated protocol API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'List federated protocols.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols', method: 'GET' }],
  },
  {
    name: 'identity:delete_protocol',
    checkStr: 'rule:admin_required',
    deprecatedRule: { name: 'identity:delete_protocol', checkStr: 'rule:admin_required' },
    deprecatedReason: 'The federated protocol API is now aware of system scope and default roles.',
    deprecatedSince: 'S',
    description: 'Delete federated protocol.',
    scopeTypes: ['system', 'project'],
    operations: [{ path: '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', method: 'DELETE' }],
  },
];
