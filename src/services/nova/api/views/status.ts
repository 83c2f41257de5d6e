/**
 * A server's API status from its vm_state and task_state (nova/api/openstack/common.py
 * _STATE_MAP, status_from_state, task_and_vm_state_from_status).
 */
import { TaskState as T } from '../../compute/task-states.js';
import { VmState as V } from '../../compute/vm-states.js';

const REBUILD = { [T.REBUILDING]: 'REBUILD', [T.REBUILD_BLOCK_DEVICE_MAPPING]: 'REBUILD', [T.REBUILD_SPAWNING]: 'REBUILD' };
const RESIZE = { [T.RESIZE_PREP]: 'RESIZE', [T.RESIZE_MIGRATING]: 'RESIZE', [T.RESIZE_MIGRATED]: 'RESIZE', [T.RESIZE_FINISH]: 'RESIZE' };

/** vm_state -> task_state (or 'default') -> status. */
export const STATE_MAP: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [V.ACTIVE]: {
    default: 'ACTIVE', [T.REBOOTING]: 'REBOOT', [T.REBOOT_PENDING]: 'REBOOT', [T.REBOOT_STARTED]: 'REBOOT',
    [T.REBOOTING_HARD]: 'HARD_REBOOT', [T.REBOOT_PENDING_HARD]: 'HARD_REBOOT', [T.REBOOT_STARTED_HARD]: 'HARD_REBOOT',
    [T.UPDATING_PASSWORD]: 'PASSWORD', ...REBUILD, [T.MIGRATING]: 'MIGRATING', ...RESIZE,
  },
  [V.BUILDING]: { default: 'BUILD' },
  [V.STOPPED]: { default: 'SHUTOFF', ...RESIZE, ...REBUILD },
  [V.RESIZED]: { default: 'VERIFY_RESIZE', [T.RESIZE_REVERTING]: 'REVERT_RESIZE' },
  [V.PAUSED]: { default: 'PAUSED', [T.MIGRATING]: 'MIGRATING' },
  [V.SUSPENDED]: { default: 'SUSPENDED' },
  [V.RESCUED]: { default: 'RESCUE' },
  [V.ERROR]: { default: 'ERROR', ...REBUILD },
  [V.DELETED]: { default: 'DELETED' },
  [V.SOFT_DELETED]: { default: 'SOFT_DELETED' },
  [V.SHELVED]: { default: 'SHELVED' },
  [V.SHELVED_OFFLOADED]: { default: 'SHELVED_OFFLOADED' },
};

export function statusFromState(vmState: string, taskState: string | null): string {
  const map = STATE_MAP[vmState] ?? { default: 'UNKNOWN' };
  return (taskState !== null ? map[taskState] : undefined) ?? map['default']!;
}

/** The (vm_state, task_state) pairs a list of statuses stands for; task 'default' means any task. */
export function statesFromStatus(statuses: readonly string[]): Array<{ vmState: string; taskState: string | 'default' }> {
  const wanted = new Set(statuses.map((s) => s.toLowerCase()));
  const out: Array<{ vmState: string; taskState: string }> = [];
  for (const [vmState, map] of Object.entries(STATE_MAP)) {
    for (const [taskState, status] of Object.entries(map)) if (wanted.has(status.toLowerCase())) out.push({ vmState, taskState });
  }
  return out;
}
