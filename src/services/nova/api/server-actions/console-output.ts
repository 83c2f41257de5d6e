/**
 * os-getConsoleOutput (nova's console_output.py): the guest's console log from its host, the
 * last `length` lines when given (an integer, a numeric string, or null for all).
 */
import { BadRequest, Conflict } from '../../../../common/errors.js';
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';

const SCHEMA = {
  type: ['object', 'null'],
  properties: { length: { type: ['integer', 'string', 'null'], pattern: '^-?[0-9]+$', minimum: -1 } },
  additionalProperties: false,
};

export const consoleOutputActions: ServerAction[] = [{
  name: 'os-getConsoleOutput',
  async run({ deps, caller: c, instance, body }) {
    deps.policy.can(c.ctx, 'os_compute_api:os-console-output', { project_id: instance.data.project_id });
    const args = validateBody<{ length?: number | string | null } | null>(SCHEMA, body);
    const raw = args?.length;
    const length = raw === undefined || raw === null ? null : Number(raw);
    if (length !== null && (!Number.isInteger(length) || length < -1)) throw new BadRequest('Invalid input for field/attribute length.');
    if (!instance.data.host || instance.data.vm_state === 'building') throw new Conflict(`Instance ${instance.uuid} has not been scheduled or is building.`);
    const output = await deps.compute.getConsoleOutput(c.ctx, instance, length === -1 ? null : length);
    return { output };
  },
}];
