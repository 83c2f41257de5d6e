/** What each of Nubo's simulated agents of one host is given (the `network-sim-agent` role builds them alike). */
import type { Logger } from '../../../common/log/logger.js';
import type { Transport } from '../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../common/service/periodic.js';

export interface SimAgentOptions {
  transport: Transport;
  host: string;
  log: Logger;
  reportInterval: number;
  availabilityZone: string;
  periodic: PeriodicTasks;
}
