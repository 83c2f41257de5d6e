/** nova/compute/power_state.py: the hypervisor's view of a guest, as stored (integers) and named. */
export const PowerState = {
  NOSTATE: 0,
  RUNNING: 1,
  PAUSED: 3,
  SHUTDOWN: 4,
  CRASHED: 6,
  SUSPENDED: 7,
} as const;

export type PowerState = (typeof PowerState)[keyof typeof PowerState];

/** The names notifications and logs use (power_state.STATE_MAP). */
export const POWER_STATE_NAMES: Readonly<Record<number, string>> = {
  0: 'pending', 1: 'running', 3: 'paused', 4: 'shutdown', 6: 'crashed', 7: 'suspended',
};
