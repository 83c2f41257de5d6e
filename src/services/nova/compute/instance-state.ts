/**
 * nova's check_instance_state decorator as a function: the server must be in one of the given
 * vm states and (when asked) have no task in progress, else InstanceInvalidState naming the
 * attribute that is wrong.
 */
import { InstanceInvalidState } from '../errors.js';
import type { Instance } from '../objects/index.js';
import { VmState } from './vm-states.js';

/** The states in which a server's metadata and tags may change (ACTIVE, PAUSED, SUSPENDED, STOPPED). */
export const SETTLED_VM_STATES: readonly string[] = [VmState.ACTIVE, VmState.PAUSED, VmState.SUSPENDED, VmState.STOPPED];

/** The states in which ports may be plugged or unplugged (ACTIVE, PAUSED, STOPPED). */
export const INTERFACE_VM_STATES: readonly string[] = [VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED];

/** The states in which volumes may be attached or detached (nova also takes shelved ones, which need no host). */
export const VOLUME_VM_STATES: readonly string[] = [
  VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED, VmState.RESIZED, VmState.SOFT_DELETED, VmState.SHELVED, VmState.SHELVED_OFFLOADED,
];

/** The states in which a volume may be swapped for another (ACTIVE, PAUSED, RESIZED). */
export const SWAP_VM_STATES: readonly string[] = [VmState.ACTIVE, VmState.PAUSED, VmState.RESIZED];

/** @throws InstanceInvalidState */
export function checkInstanceState(instance: Instance, method: string, vmStates: readonly string[], opts: { noTask?: boolean } = {}): void {
  const { vm_state: vm, task_state: task } = instance.data;
  if (!vmStates.includes(vm)) throw new InstanceInvalidState(instance.uuid, 'vm_state', vm, method);
  if (opts.noTask && task !== null) throw new InstanceInvalidState(instance.uuid, 'task_state', task, method);
}
