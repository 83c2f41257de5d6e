/**
 * ComputeAPI (nova/compute/rpcapi.py): messages to the compute service of one host
 * (`compute.<host>`). Casts where upstream casts (build, terminate, power actions, external
 * events); calls where the caller needs the answer (console output).
 */
import type { RequestContext } from '../../../common/context.js';
import { RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { BlockDeviceMapping, ImageMeta, Instance, NetworkRequestList, RequestSpec, Selection, VifInfo } from '../objects/index.js';
import { callRemote } from '../rpc/remote-errors.js';
import { novaSerializer } from '../rpc/serializer.js';
import { COMPUTE_RPC_VERSION, COMPUTE_TOPIC } from '../rpc/topics.js';
import type { InstanceDiagnostics } from '../virt/diagnostics.js';

export interface BuildAndRunArgs {
  instance: Instance;
  image: ImageMeta;
  request_spec: RequestSpec;
  admin_password: string | null;
  injected_files: Array<[string, string]>;
  requested_networks: NetworkRequestList;
  security_groups: string[];
  block_device_mapping: BlockDeviceMapping[];
  node: string;
  limits: Record<string, number> | null;
  /** The chosen host's Selection first, then the alternates (for a reschedule). */
  host_list: Selection[];
}

/** One event of os-server-external-events as the compute host receives it (nova's InstanceExternalEvent). */
export interface InstanceExternalEvent {
  instance_uuid: string;
  name: string;
  status: 'completed' | 'failed' | 'in-progress';
  tag: string | null;
  data?: Record<string, unknown>;
}

export type LifecycleCast = 'pause_instance' | 'unpause_instance' | 'suspend_instance' | 'resume_instance' | 'unrescue_instance' | 'trigger_crash_dump';
export type ConsoleMethod = 'get_vnc_console' | 'get_spice_console' | 'get_serial_console' | 'get_rdp_console' | 'get_mks_console';

/** What rebuild_instance carries (nova's rebuild_instance arguments that Nubo uses). */
export interface RebuildInstanceArgs {
  instance: Instance;
  new_pass: string | null;
  image_ref: string;
  orig_image_ref: string;
  preserve_ephemeral: boolean;
}

/** A console's connection info (nova's ConsoleAuthToken-backed connect_info). */
export interface ConsoleConnectInfo {
  token: string;
  access_url: string;
  host: string;
  port: number;
  internal_access_path: string | null;
  /** Nubo's: the console's UNIX socket on `host`, when it is served on one (port 0). */
  unix_socket?: string | null;
}

export class ComputeAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport, timeout?: number) {
    this.client = new RpcClient<RequestContext>(transport, { topic: COMPUTE_TOPIC, version: COMPUTE_RPC_VERSION }, {
      serializer: novaSerializer(), ...(timeout !== undefined ? { timeout } : {}),
    });
  }

  protected at(host: string) {
    return this.client.prepare({ server: host });
  }

  /**
   * cache_images: a call that may run long (the host fetches every image before it answers),
   * waiting up to `timeout` seconds (nova's long_rpc_timeout). The outcome of each image by id.
   */
  cacheImages(ctx: RequestContext, host: string, imageIds: string[], timeout: number): Promise<Record<string, string>> {
    return callRemote(() => this.client.prepare({ server: host, timeout }).call<Record<string, string>>(ctx, 'cache_images', { image_ids: imageIds }));
  }

  buildAndRunInstance(ctx: RequestContext, host: string, args: BuildAndRunArgs): Promise<void> {
    return this.at(host).cast(ctx, 'build_and_run_instance', { ...args });
  }

  terminateInstance(ctx: RequestContext, host: string, instance: Instance, bdms: BlockDeviceMapping[]): Promise<void> {
    return this.at(host).cast(ctx, 'terminate_instance', { instance, bdms });
  }

  /** soft_delete_instance: the host powers the guest off and the server is SOFT_DELETED. */
  softDeleteInstance(ctx: RequestContext, host: string, instance: Instance): Promise<void> {
    return this.at(host).cast(ctx, 'soft_delete_instance', { instance });
  }

  /** restore_instance: the host powers a SOFT_DELETED server's guest on again. */
  restoreInstance(ctx: RequestContext, host: string, instance: Instance): Promise<void> {
    return this.at(host).cast(ctx, 'restore_instance', { instance });
  }

  stopInstance(ctx: RequestContext, host: string, instance: Instance, cleanShutdown = true): Promise<void> {
    return this.at(host).cast(ctx, 'stop_instance', { instance, clean_shutdown: cleanShutdown });
  }

  startInstance(ctx: RequestContext, host: string, instance: Instance): Promise<void> {
    return this.at(host).cast(ctx, 'start_instance', { instance });
  }

  externalInstanceEvent(ctx: RequestContext, host: string, instances: Instance[], events: InstanceExternalEvent[]): Promise<void> {
    return this.at(host).cast(ctx, 'external_instance_event', { instances, events });
  }

  getConsoleOutput(ctx: RequestContext, host: string, instance: Instance, tailLength: number | null): Promise<string> {
    return callRemote(() => this.at(host).call<string>(ctx, 'get_console_output', { instance, tail_length: tailLength }));
  }

  // --- server lifecycle actions (reboot, pause, suspend, rescue, password, snapshot, rebuild, consoles)

  rebootInstance(ctx: RequestContext, host: string, instance: Instance, rebootType: 'SOFT' | 'HARD'): Promise<void> {
    return this.at(host).cast(ctx, 'reboot_instance', { instance, block_device_info: null, reboot_type: rebootType });
  }

  /** pause_instance, unpause_instance, suspend_instance, resume_instance, unrescue_instance, trigger_crash_dump: casts with the instance only. */
  castInstance(ctx: RequestContext, host: string, method: LifecycleCast, instance: Instance): Promise<void> {
    return this.at(host).cast(ctx, method, { instance });
  }

  rescueInstance(ctx: RequestContext, host: string, instance: Instance, rescuePassword: string, rescueImageRef: string | null, cleanShutdown = true): Promise<void> {
    return this.at(host).cast(ctx, 'rescue_instance', { instance, rescue_password: rescuePassword, rescue_image_ref: rescueImageRef, clean_shutdown: cleanShutdown });
  }

  /** A call: the API answers 409/501 with what the host says. */
  setAdminPassword(ctx: RequestContext, host: string, instance: Instance, newPass: string): Promise<void> {
    return callRemote(() => this.at(host).call<void>(ctx, 'set_admin_password', { instance, new_pass: newPass }));
  }

  snapshotInstance(ctx: RequestContext, host: string, instance: Instance, imageId: string): Promise<void> {
    return this.at(host).cast(ctx, 'snapshot_instance', { instance, image_id: imageId });
  }

  backupInstance(ctx: RequestContext, host: string, instance: Instance, imageId: string, backupType: string, rotation: number): Promise<void> {
    return this.at(host).cast(ctx, 'backup_instance', { instance, image_id: imageId, backup_type: backupType, rotation });
  }

  rebuildInstance(ctx: RequestContext, host: string, args: RebuildInstanceArgs): Promise<void> {
    return this.at(host).cast(ctx, 'rebuild_instance', { ...args });
  }

  /** get_vnc_console / get_spice_console / get_serial_console / get_rdp_console / get_mks_console: calls. */
  getConsole(ctx: RequestContext, host: string, method: ConsoleMethod, instance: Instance, consoleType: string): Promise<ConsoleConnectInfo> {
    return callRemote(() => this.at(host).call<ConsoleConnectInfo>(ctx, method, { instance, console_type: consoleType }));
  }

  /**
   * validate_console_port (a call, what a console proxy asks before it connects): whether the
   * instance's console of `consoleType` is served at `port` (and, Nubo's additions, at
   * `at.host`: a token minted for another compute host's address does not pass; on the UNIX
   * socket `at.unixSocket`, which a console served on one must match).
   */
  validateConsolePort(ctx: RequestContext, host: string, instance: Instance, port: number, consoleType: string, at: { host?: string; unixSocket?: string } = {}): Promise<boolean> {
    return callRemote(() => this.at(host).call<boolean>(ctx, 'validate_console_port', {
      instance, port: String(port), console_type: consoleType,
      ...(at.host !== undefined ? { console_host: at.host } : {}), ...(at.unixSocket !== undefined ? { console_unix_socket: at.unixSocket } : {}),
    }));
  }

  getDiagnostics(ctx: RequestContext, host: string, instance: Instance): Promise<Record<string, unknown>> {
    return callRemote(() => this.at(host).call<Record<string, unknown>>(ctx, 'get_diagnostics', { instance }));
  }

  getInstanceDiagnostics(ctx: RequestContext, host: string, instance: Instance): Promise<InstanceDiagnostics> {
    return callRemote(() => this.at(host).call<InstanceDiagnostics>(ctx, 'get_instance_diagnostics', { instance }));
  }

  getHostUptime(ctx: RequestContext, host: string): Promise<string> {
    return callRemote(() => this.at(host).call<string>(ctx, 'get_host_uptime', {}));
  }

  /** attach_interface: a call; the new VIF comes back. */
  attachInterface(ctx: RequestContext, host: string, instance: Instance, req: { network_id: string | null; port_id: string | null; requested_ip: string | null; tag: string | null }): Promise<VifInfo> {
    return callRemote(() => this.at(host).call<VifInfo>(ctx, 'attach_interface', { instance, ...req }));
  }

  detachInterface(ctx: RequestContext, host: string, instance: Instance, portId: string): Promise<void> {
    return this.at(host).cast(ctx, 'detach_interface', { instance, port_id: portId });
  }

  /** attach_volume: a cast; the host completes the reserved attachment. */
  attachVolume(ctx: RequestContext, host: string, instance: Instance, bdm: BlockDeviceMapping): Promise<void> {
    return this.at(host).cast(ctx, 'attach_volume', { instance, bdm });
  }

  detachVolume(ctx: RequestContext, host: string, instance: Instance, volumeId: string): Promise<void> {
    return this.at(host).cast(ctx, 'detach_volume', { instance, volume_id: volumeId });
  }

  swapVolume(ctx: RequestContext, host: string, instance: Instance, args: { old_volume_id: string; new_volume_id: string; new_attachment_id: string }): Promise<void> {
    return this.at(host).cast(ctx, 'swap_volume', { instance, ...args });
  }
}
