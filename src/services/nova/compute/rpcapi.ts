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

export class ComputeAPI {
  private readonly client: RpcClient<RequestContext>;

  constructor(transport: Transport, timeout?: number) {
    this.client = new RpcClient<RequestContext>(transport, { topic: COMPUTE_TOPIC, version: COMPUTE_RPC_VERSION }, {
      serializer: novaSerializer(), ...(timeout !== undefined ? { timeout } : {}),
    });
  }

  private at(host: string) {
    return this.client.prepare({ server: host });
  }

  buildAndRunInstance(ctx: RequestContext, host: string, args: BuildAndRunArgs): Promise<void> {
    return this.at(host).cast(ctx, 'build_and_run_instance', { ...args });
  }

  terminateInstance(ctx: RequestContext, host: string, instance: Instance, bdms: BlockDeviceMapping[]): Promise<void> {
    return this.at(host).cast(ctx, 'terminate_instance', { instance, bdms });
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
