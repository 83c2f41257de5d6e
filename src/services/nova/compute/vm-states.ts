/** nova/compute/vm_states.py: the stable states of an instance. */
export const VmState = {
  ACTIVE: 'active',
  BUILDING: 'building',
  PAUSED: 'paused',
  SUSPENDED: 'suspended',
  STOPPED: 'stopped',
  RESCUED: 'rescued',
  RESIZED: 'resized',
  SOFT_DELETED: 'soft-delete',
  DELETED: 'deleted',
  ERROR: 'error',
  SHELVED: 'shelved',
  SHELVED_OFFLOADED: 'shelved_offloaded',
} as const;

export type VmState = (typeof VmState)[keyof typeof VmState];

/** States a soft reboot is allowed in (ALLOW_SOFT_REBOOT), and a hard one (ALLOW_HARD_REBOOT). */
export const ALLOW_SOFT_REBOOT: readonly VmState[] = [VmState.ACTIVE];
export const ALLOW_HARD_REBOOT: readonly VmState[] = [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED, VmState.ERROR];
