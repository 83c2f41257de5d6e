/** QEMU's run states and events as nova's power states. */
import { PowerState } from '../../compute/power-state.js';

/** query-status's `status` (QEMU's RunState) -> power state. */
export function runStateToPowerState(status: string): number {
  switch (status) {
    case 'running': return PowerState.RUNNING;
    case 'suspended': return PowerState.SUSPENDED;
    case 'shutdown': return PowerState.SHUTDOWN;
    case 'internal-error':
    case 'guest-panicked': return PowerState.CRASHED;
    default: return PowerState.PAUSED; // paused, inmigrate, postmigrate, prelaunch, save-vm, io-error, watchdog, ...
  }
}

/** The power state an asynchronous QMP event moves the guest to; undefined when it says nothing of it. */
export function eventToPowerState(event: string): number | undefined {
  switch (event) {
    case 'STOP': return PowerState.PAUSED;
    case 'RESUME': return PowerState.RUNNING;
    case 'SHUTDOWN': return PowerState.SHUTDOWN;
    case 'SUSPEND': return PowerState.SUSPENDED;
    case 'WAKEUP': return PowerState.RUNNING;
    case 'GUEST_PANICKED': return PowerState.CRASHED;
    default: return undefined;
  }
}
