/**
 * The versioned notification payloads of instances (nova/notifications/objects/instance.py,
 * flavor.py, exception.py, keypair.py): Nova objects whose primitive is the notification's
 * payload, built from an Instance as nova's populate_schema does.
 */
import { NuboError } from '../../../common/errors.js';
import { POWER_STATE_NAMES } from '../compute/power-state.js';
import { NovaObject, registerObjects } from '../objects/base.js';
import type { Flavor, Instance } from '../objects/index.js';

export class FlavorPayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'FlavorPayload';
  static readonly VERSION = '1.4';
}
export class IpPayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'IpPayload';
  static readonly VERSION = '1.0';
}
export class ExceptionPayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'ExceptionPayload';
  static readonly VERSION = '1.1';
}
export class KeypairPayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'KeypairPayload';
  static readonly VERSION = '1.0';
}
export class InstanceActionPayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'InstanceActionPayload';
  static readonly VERSION = '1.8';
}
export class InstanceCreatePayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'InstanceCreatePayload';
  static readonly VERSION = '1.12';
}

/** instance.update's payload (Zed's 2.0) and the two objects it holds. */
export class InstanceUpdatePayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'InstanceUpdatePayload';
  static readonly VERSION = '2.0';
}
export class InstanceStateUpdatePayload extends NovaObject<InstanceStateUpdate> {
  static readonly objName = 'InstanceStateUpdatePayload';
  static readonly VERSION = '1.0';
}
export class AuditPeriodPayload extends NovaObject<{ audit_period_beginning: string; audit_period_ending: string }> {
  static readonly objName = 'AuditPeriodPayload';
  static readonly VERSION = '1.0';
}

/** The action payloads with one field more (nova's InstanceActionRescuePayload, ...Snapshot..., ...Rebuild...). */
export class InstanceActionRescuePayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'InstanceActionRescuePayload';
  static readonly VERSION = '1.3';
}
export class InstanceActionSnapshotPayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'InstanceActionSnapshotPayload';
  static readonly VERSION = '1.9';
}
export class InstanceActionRebuildPayload extends NovaObject<Record<string, unknown>> {
  static readonly objName = 'InstanceActionRebuildPayload';
  static readonly VERSION = '1.9';
}

registerObjects(
  FlavorPayload, IpPayload, ExceptionPayload, KeypairPayload, InstanceActionPayload, InstanceCreatePayload, InstanceActionRescuePayload,
  InstanceActionSnapshotPayload, InstanceActionRebuildPayload, InstanceUpdatePayload, InstanceStateUpdatePayload, AuditPeriodPayload,
);

/** The action payload kinds with their extra field. */
export type ActionPayloadExtra =
  | { kind: 'rescue'; rescue_image_ref: string | null }
  | { kind: 'snapshot'; snapshot_image_id: string }
  | { kind: 'rebuild'; trusted_image_certificates: string[] | null };

export function extendedActionPayload(instance: Instance, ctx: PayloadContext, fault: ExceptionPayload | null, extra: ActionPayloadExtra): NovaObject<Record<string, unknown>> {
  const base = { ...instanceFields(instance, ctx.requestId, ctx), fault };
  switch (extra.kind) {
    case 'rescue': return new InstanceActionRescuePayload({ ...base, rescue_image_ref: extra.rescue_image_ref });
    case 'snapshot': return new InstanceActionSnapshotPayload({ ...base, snapshot_image_id: extra.snapshot_image_id });
    case 'rebuild': return new InstanceActionRebuildPayload({ ...base, trusted_image_certificates: extra.trusted_image_certificates });
  }
}

export function flavorPayload(flavor: Flavor): FlavorPayload {
  const f = flavor.data;
  return new FlavorPayload({
    flavorid: f.flavorid, memory_mb: f.memory_mb, vcpus: f.vcpus, root_gb: f.root_gb, ephemeral_gb: f.ephemeral_gb, name: f.name, swap: f.swap,
    rxtx_factor: f.rxtx_factor, vcpu_weight: f.vcpu_weight, disabled: f.disabled, is_public: f.is_public, extra_specs: f.extra_specs,
    projects: null, description: f.description,
  });
}

/** ExceptionPayload.from_exc_and_traceback. */
export function exceptionPayload(err: unknown, functionName: string): ExceptionPayload {
  const e = err instanceof Error ? err : new Error(String(err));
  return new ExceptionPayload({
    module_name: err instanceof NuboError ? 'nova.exception' : 'nubo', function_name: functionName, exception: e.name,
    exception_message: e.message, traceback: e.stack ?? '',
  });
}

/** The InstancePayload fields of an instance. */
function instanceFields(instance: Instance, requestId: string | null, initiator: { user: string | null; project: string | null }): Record<string, unknown> {
  const i = instance.data;
  return {
    uuid: i.uuid, user_id: i.user_id, tenant_id: i.project_id, reservation_id: i.reservation_id, display_name: i.display_name,
    display_description: i.display_description, host_name: i.hostname, host: i.host, node: i.node, os_type: null, architecture: null,
    availability_zone: i.availability_zone, flavor: flavorPayload(i.flavor), image_uuid: i.image_ref, key_name: i.key_name, kernel_id: '',
    ramdisk_id: '', created_at: i.created_at, launched_at: i.launched_at, terminated_at: i.terminated_at, deleted_at: i.deleted_at,
    updated_at: i.updated_at, state: i.vm_state, power_state: POWER_STATE_NAMES[i.power_state] ?? 'pending', task_state: i.task_state,
    progress: i.progress, metadata: i.metadata, locked: i.locked, auto_disk_config: i.auto_disk_config ? 'AUTO' : 'MANUAL',
    ip_addresses: i.network_info.flatMap((vif) => vif.network.subnets.flatMap((s) => s.ips.map((ip) => new IpPayload({
      label: vif.network.label, mac: vif.address, meta: {}, port_uuid: vif.id, version: ip.version, address: ip.address, device_name: vif.devname,
    })))),
    block_devices: null, request_id: requestId, action_initiator_user: initiator.user, action_initiator_project: initiator.project,
    locked_reason: i.system_metadata['locked_reason'] ?? null,
  };
}

export interface PayloadContext {
  requestId: string | null;
  user: string | null;
  project: string | null;
}

export function instanceActionPayload(instance: Instance, ctx: PayloadContext, fault: ExceptionPayload | null): InstanceActionPayload {
  return new InstanceActionPayload({ ...instanceFields(instance, ctx.requestId, ctx), fault });
}

export function instanceCreatePayload(instance: Instance, ctx: PayloadContext, fault: ExceptionPayload | null, keypairs: KeypairPayload[]): InstanceCreatePayload {
  return new InstanceCreatePayload({
    ...instanceFields(instance, ctx.requestId, ctx), fault, keypairs, tags: instance.data.tags, trusted_image_certificates: null,
    instance_name: instance.name,
  });
}

/** InstanceStateUpdatePayload's fields: the vm and task states before and after a save. */
export interface InstanceStateUpdate {
  old_state: string | null;
  state: string | null;
  old_task_state: string | null;
  new_task_state: string | null;
}

/** The instance's current states as both the old and the new ones: an instance.update without a state change. */
export function unchangedStates(instance: Instance): InstanceStateUpdate {
  const { vm_state: vm, task_state: task } = instance.data;
  return { old_state: vm, state: vm, old_task_state: task, new_task_state: task };
}

/** What instance.update adds to the instance's fields (nova's InstanceUpdatePayload.__init__). */
export interface InstanceUpdateExtra {
  state_update: InstanceStateUpdate;
  /** The current audit period: the end of the last completed one, and now. */
  audit_period: { beginning: string; ending: string };
  old_display_name: string | null;
}

export function instanceUpdatePayload(instance: Instance, ctx: PayloadContext, extra: InstanceUpdateExtra): InstanceUpdatePayload {
  return new InstanceUpdatePayload({
    ...instanceFields(instance, ctx.requestId, ctx),
    state_update: new InstanceStateUpdatePayload({ ...extra.state_update }),
    audit_period: new AuditPeriodPayload({ audit_period_beginning: extra.audit_period.beginning, audit_period_ending: extra.audit_period.ending }),
    old_display_name: extra.old_display_name, tags: instance.data.tags,
  });
}
