/**
 * The spans of Nova's boot that are not a request, a REST call or an RPC message (those are
 * traced by the plumbing): the compute API's create (the instance records), the virt driver's
 * spawn and its wait for network-vif-plugged. Added where the roles are composed, so the
 * managers and the driver stay as they are; their boot steps come from
 * common/tracing/boot-steps.ts by these span names.
 */
import { traceMethod } from '../../../common/tracing/tracing.js';
import type { ComputeApi } from '../compute/api.js';
import type { InstanceEvents } from '../compute/instance-events.js';
import type { ComputeDriver } from '../virt/driver.js';

export function traceComputeApi(api: ComputeApi): void {
  traceMethod(api, 'create', 'compute_api.create', {
    result: (r) => ({ 'nubo.instance_id': r.instances.map((i) => i.uuid), 'nova.reservation_id': r.reservationId }),
  });
}

export function traceVirt(driver: ComputeDriver, events: InstanceEvents): void {
  traceMethod(driver, 'spawn', 'driver.spawn', { args: (a) => ({ 'nubo.instance_id': a.instance.uuid }) });
  traceMethod(
    events,
    'waitForInstanceEvents',
    (_instance, expected) => (expected.every(([name]) => name === 'network-vif-plugged') ? 'wait network-vif-plugged' : 'wait instance events'),
    {
      args: (instance, expected, deadline) => ({
        'nubo.instance_id': instance.uuid, 'nova.events': expected.map(([n, t]) => `${n}-${t}`), 'nova.deadline_s': deadline,
      }),
      result: (outcome) => ({ 'nova.wait_outcome': outcome }),
    },
  );
}
