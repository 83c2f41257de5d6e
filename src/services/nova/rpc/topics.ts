/**
 * The bus wiring of Nova's roles (nova/compute/rpcapi.py, conductor/rpcapi.py,
 * scheduler/rpcapi.py): the RPC topics and the API version each server's endpoint implements.
 * A compute host listens on `compute.<host>`; conductor and scheduler workers share their topic.
 */
export const COMPUTE_TOPIC = 'compute';
export const CONDUCTOR_TOPIC = 'conductor';
export const SCHEDULER_TOPIC = 'scheduler';

/** ComputeManager's target version (nova 26: 6.0, with 6.1 for additions). */
export const COMPUTE_RPC_VERSION = '6.0';
/** ComputeTaskManager: the conductor's 'compute_task' namespace. */
export const COMPUTE_TASK_NAMESPACE = 'compute_task';
export const COMPUTE_TASK_RPC_VERSION = '1.25';
/** SchedulerManager. */
export const SCHEDULER_RPC_VERSION = '4.5';

/** The cell every instance of this single-cell deployment lives in (Selection.cell_uuid). */
export const CELL_UUID = '00000000-0000-0000-0000-000000000001';
