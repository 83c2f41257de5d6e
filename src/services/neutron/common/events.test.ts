/**
 * The callbacks registry: callbacks of one (resource, event) run by priority, then in
 * subscription order; a failing BEFORE_* callback aborts the publisher, a failing AFTER_*
 * callback is logged and the others still run.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../../common/log/logger.js';
import { NeutronContext } from './context.js';
import { EventRegistry, PRIORITY_CHECK, PRIORITY_RELEASE } from './events.js';

const port = { id: 'p1', device_id: 'd1', device_owner: 'compute:nova' };

describe('event registry', () => {
  test('callbacks run by priority, then in subscription order, only for their (resource, event)', async () => {
    const events = new EventRegistry(createLogger({ level: 'silent' }));
    const ran: string[] = [];
    events.subscribe('port', 'before_delete', () => { ran.push('default-1'); });
    events.subscribe('port', 'before_delete', () => { ran.push('check'); }, PRIORITY_CHECK);
    events.subscribe('port', 'before_delete', () => { ran.push('default-2'); });
    events.subscribe('port', 'before_delete', () => { ran.push('release'); }, PRIORITY_RELEASE);
    events.subscribe('network', 'before_delete', () => { ran.push('network'); });
    await events.publish('port', 'before_delete', { ctx: NeutronContext.admin(), port, l3Check: true });
    assert.deepEqual(ran, ['release', 'check', 'default-1', 'default-2']);
  });

  test('a failing BEFORE callback aborts; a failing AFTER callback does not stop the others', async () => {
    const events = new EventRegistry(createLogger({ level: 'silent' }));
    const ran: string[] = [];
    events.subscribe('port', 'before_delete', () => { throw new Error('vetoed'); }, PRIORITY_CHECK);
    events.subscribe('port', 'before_delete', () => { ran.push('cleanup'); });
    await assert.rejects(events.publish('port', 'before_delete', { ctx: NeutronContext.admin(), port, l3Check: true }), /vetoed/);
    assert.equal(ran.length, 0);
    events.subscribe('security_group_rule', 'after_delete', () => { throw new Error('agent down'); });
    events.subscribe('security_group_rule', 'after_delete', () => { ran.push('nova'); });
    const rule = {
      id: 'r', tenant_id: 'p', project_id: 'p', security_group_id: 'sg', direction: 'ingress', ethertype: 'IPv4', protocol: null, port_range_min: null,
      port_range_max: null, remote_ip_prefix: null, remote_group_id: null, remote_address_group_id: null, normalized_cidr: null, belongs_to_default_sg: false,
      description: '', revision_number: 0, created_at: '', updated_at: '',
    };
    await events.publish('security_group_rule', 'after_delete', { ctx: NeutronContext.admin(), current: rule });
    assert.deepEqual(ran, ['nova']);
  });
});
