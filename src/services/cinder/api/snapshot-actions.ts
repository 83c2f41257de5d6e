/**
 * Snapshot actions in their own module (cinder/api/contrib/snapshot_actions.py):
 * os-update_snapshot_status (202), how a volume host outside Cinder (Nova's assisted
 * snapshots) reports progress: creating → creating, available or error; deleting → deleting or
 * error_deleting; with an optional progress ("80%").
 */
import type { FastifyReply } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { SnapshotRecord } from '../db/records.js';
import type { ApiDeps } from './deps.js';
import type { Caller } from './request.js';
import { argObject, onlyProperties, required } from './volume-action-registry.js';

export type SnapshotActionHandler = (a: { deps: ApiDeps; c: Caller; s: SnapshotRecord; arg: unknown; reply: FastifyReply }) => Promise<FastifyReply>;

const TRANSITIONS: Record<string, readonly string[]> = { creating: ['creating', 'available', 'error'], deleting: ['deleting', 'error_deleting'] };

export const snapshotActions: Readonly<Record<string, SnapshotActionHandler>> = {
  async 'os-update_snapshot_status'({ deps, c, s, arg, reply }) {
    deps.policy.authorize(c.ctx, 'snapshot_extension:snapshot_actions:update_snapshot_status', { project_id: s.project_id });
    const o = argObject('os-update_snapshot_status', arg);
    onlyProperties('os-update_snapshot_status', o, ['status', 'progress']);
    const status = required('os-update_snapshot_status', o, 'status');
    if (typeof status !== 'string') throw new BadRequest(`Invalid input for field/attribute status. Value: ${JSON.stringify(status)}. ${JSON.stringify(status)} is not of type 'string'`);
    const progress = o['progress'];
    if (progress !== undefined && progress !== null && (typeof progress !== 'string' || !/^(100|[1-9]?[0-9])%$/.test(progress))) {
      throw new BadRequest(`Invalid input for field/attribute progress. Value: ${JSON.stringify(progress)}. ${JSON.stringify(progress)} does not match '^(100|[1-9]?[0-9])%$'`);
    }
    const allowed = TRANSITIONS[s.status];
    if (!allowed) throw new BadRequest(`Snapshot status ${s.status} not allowed for update_snapshot_status`);
    if (!allowed.includes(status)) throw new BadRequest(`Provided snapshot status ${status} not allowed for snapshot with status ${s.status}.`);
    if (!(await deps.repos.snapshots.conditionalUpdate(s.id, [s.status], { status, ...(progress ? { progress } : {}) }))) {
      throw new BadRequest(`Snapshot ${s.id} changed status meanwhile; try again.`);
    }
    return reply.code(202).send();
  },
};
