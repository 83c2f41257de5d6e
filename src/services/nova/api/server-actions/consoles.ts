/**
 * os-getVNCConsole, os-getSPICEConsole, os-getRDPConsole, os-getSerialConsole (nova's
 * remote_consoles.py, 2.1 to 2.5; POST /servers/{id}/remote-consoles replaces them).
 */
import type { ConsoleProtocol } from '../../compute/api-lifecycle.js';
import { consoleUrl } from '../remote-consoles.js';
import { validateBody } from '../validation.js';
import type { ServerAction } from './index.js';

const legacy = (name: string, protocol: ConsoleProtocol, types: string[]): ServerAction => {
  const schema = { type: 'object', properties: { type: { type: 'string', enum: types } }, required: ['type'], additionalProperties: false };
  return {
    name,
    maxVersion: '2.5',
    async run({ deps, caller: c, instance, body }) {
      const { type } = validateBody<{ type: string }>(schema, body);
      deps.policy.can(c.ctx, 'os_compute_api:os-remote-consoles');
      return { console: { type, url: await consoleUrl(deps, c, instance, protocol, type) } };
    },
  };
};

export const consoleActions: ServerAction[] = [
  legacy('os-getVNCConsole', 'vnc', ['novnc', 'xvpvnc']),
  legacy('os-getSPICEConsole', 'spice', ['spice-html5']),
  legacy('os-getRDPConsole', 'rdp', ['rdp-html5']),
  legacy('os-getSerialConsole', 'serial', ['serial']),
];
