/** The Neutron events a driver waits for before a guest runs. */
import type { VifInfo } from '../objects/index.js';
import type { ExpectedEvent } from './driver.js';

/** The network-vif-plugged events a spawn waits for: ports Neutron has not reported ACTIVE (libvirt's _get_neutron_events). */
export function neutronEvents(networkInfo: readonly VifInfo[]): ExpectedEvent[] {
  return networkInfo.filter((vif) => vif.active === false).map((vif) => ['network-vif-plugged', vif.id]);
}
