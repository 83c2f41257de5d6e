/**
 * Interface attach and detach on the compute host (nova/compute/manager.py attach_interface
 * and detach_interface), an RPC endpoint of `compute.<host>` beside the ComputeManager's:
 *  - attach_interface (a call): the network or port asked for is checked for the caller, a port
 *    is created (or the given one taken) and bound to this host, the virt driver plugs it, the
 *    device tag is recorded and the network info cache grows by the new VIF, which is answered.
 *    A failed plug deletes (or releases) the port again: InterfaceAttachFailed.
 *  - detach_interface (a cast): the driver unplugs the port, which is deleted when Nova created
 *    it and unbound when the user gave it; the cache and the tag record lose it.
 * Both run under the lock `interface-<server>-<port>` and are recorded as events of the
 * server's action, with instance.interface_attach / interface_detach notifications.
 */
import { ServiceClientError } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import type { Logger } from '../../../common/log/logger.js';
import type { NovaRepos } from '../db/repos.js';
import {
  AttachInterfaceNotSupported, FixedIpAlreadyInUse, InterfaceAttachFailed, InterfaceAttachFailedNoNetwork, InterfaceDetachFailed,
  NetworkInterfaceTaggedAttachNotSupported, NovaException, PortNotFound,
} from '../errors.js';
import type { NeutronAPI } from '../network/neutron.js';
import type { NovaNotifier } from '../notifications/notifier.js';
import { expectObject, Instance, NetworkRequestList, type VifInfo } from '../objects/index.js';
import { COMPUTE_RPC_VERSION } from '../rpc/topics.js';
import type { ComputeDriver } from '../virt/driver.js';
import { withInstanceEvent } from './event-reporter.js';
import { KeyedLock } from './locks.js';

export interface InterfaceRequest {
  network_id: string | null;
  port_id: string | null;
  requested_ip: string | null;
  tag: string | null;
}

export interface InterfaceAttachOptions {
  host: string;
  driver: ComputeDriver;
  repos: NovaRepos;
  network: NeutronAPI;
  notifier: NovaNotifier;
  log: Logger;
}

export class InterfaceAttachManager {
  private readonly locks = new KeyedLock();

  constructor(private readonly o: InterfaceAttachOptions) {}

  endpoint(): object {
    const m = this;
    return {
      target: { version: COMPUTE_RPC_VERSION },
      async attach_interface(ctx: RequestContext, args: Record<string, unknown>) {
        const req: InterfaceRequest = {
          network_id: (args['network_id'] as string | null) ?? null, port_id: (args['port_id'] as string | null) ?? null,
          requested_ip: (args['requested_ip'] as string | null) ?? null, tag: (args['tag'] as string | null) ?? null,
        };
        return m.attachInterface(ctx, expectObject(args['instance'], Instance, 'instance'), req);
      },
      async detach_interface(ctx: RequestContext, args: Record<string, unknown>) {
        await m.detachInterface(ctx, expectObject(args['instance'], Instance, 'instance'), String(args['port_id']));
      },
    };
  }

  attachInterface(ctx: RequestContext, instance: Instance, req: InterfaceRequest): Promise<VifInfo> {
    return this.locks.run(`interface-${instance.uuid}-${req.port_id}`, () =>
      withInstanceEvent(this.o.repos.actions, ctx, instance.uuid, 'compute_attach_interface', this.o.host, () => this.attach(ctx, instance.uuid, req)));
  }

  detachInterface(ctx: RequestContext, instance: Instance, portId: string): Promise<void> {
    return this.locks.run(`interface-${instance.uuid}-${portId}`, () =>
      withInstanceEvent(this.o.repos.actions, ctx, instance.uuid, 'compute_detach_interface', this.o.host, () => this.detach(ctx, instance.uuid, portId)))
      .catch((err: unknown) => {
        this.o.log.warn({ err, instance: instance.uuid, port: portId }, 'detach interface failed');
      });
  }

  private async attach(ctx: RequestContext, uuid: string, req: InterfaceRequest): Promise<VifInfo> {
    const caps = this.o.driver.capabilities;
    if (!caps.supports_attach_interface) throw new AttachInterfaceNotSupported(uuid);
    if (req.tag && !caps.supports_tagged_attach_interface) throw new NetworkInterfaceTaggedAttachNotSupported();
    const instance = await this.o.repos.instances.get(uuid);
    await this.o.notifier.instanceAction(ctx, instance, 'interface_attach', 'start');
    const asked = req.network_id || req.port_id
      ? NetworkRequestList.of([{ network_id: req.network_id, port_id: req.port_id, address: req.requested_ip, tag: req.tag }])
      : null;
    const requested = await this.o.network.validateNetworks(ctx, asked, 1);
    if (requested.objects.length === 0) throw new InterfaceAttachFailedNoNetwork(instance.data.project_id);
    let vifs: VifInfo[];
    try {
      vifs = await this.o.network.allocateForInstance(ctx, instance, requested, instance.data.security_groups, this.o.host);
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 409 && req.requested_ip) throw new FixedIpAlreadyInUse(req.requested_ip, uuid);
      if (err instanceof NovaException) throw err;
      this.o.log.warn({ err, instance: uuid }, 'allocating the port to attach failed');
      throw new InterfaceAttachFailed(uuid);
    }
    const vif = vifs[0];
    if (vifs.length !== 1 || !vif) throw new InterfaceAttachFailed(uuid);
    try {
      await this.o.driver.attachInterface(ctx, instance, vif);
    } catch (err) {
      this.o.log.warn({ err, instance: uuid, port: vif.id }, 'attach interface failed, deallocating the port');
      await this.o.network.deallocatePort(vif.id, vif.preserve_on_delete);
      await this.o.notifier.instanceAction(ctx, instance, 'interface_attach', 'error', { err, fn: 'attach_interface' });
      throw new InterfaceAttachFailed(uuid);
    }
    await this.o.repos.vifs.create({ uuid: vif.id, instance_uuid: uuid, network_id: vif.network.id, address: vif.address, tag: req.tag });
    const fresh = await this.o.repos.instances.get(uuid);
    await this.o.repos.instances.setNetworkInfo(uuid, [...fresh.data.network_info.filter((v) => v.id !== vif.id), vif]);
    await this.o.notifier.instanceAction(ctx, fresh, 'interface_attach', 'end');
    return vif;
  }

  private async detach(ctx: RequestContext, uuid: string, portId: string): Promise<void> {
    const instance = await this.o.repos.instances.get(uuid);
    const condemned = instance.data.network_info.find((v) => v.id === portId);
    if (!condemned) throw new PortNotFound(portId);
    await this.o.notifier.instanceAction(ctx, instance, 'interface_detach', 'start');
    try {
      await this.o.driver.detachInterface(ctx, instance, condemned);
    } catch (err) {
      this.o.log.warn({ err, instance: uuid, port: portId }, 'Detach interface failed');
      throw new InterfaceDetachFailed(uuid);
    }
    await this.o.network.deallocatePort(portId, condemned.preserve_on_delete);
    const fresh = await this.o.repos.instances.get(uuid);
    await this.o.repos.instances.setNetworkInfo(uuid, fresh.data.network_info.filter((v) => v.id !== portId));
    await this.o.repos.vifs.destroy(uuid, portId);
    await this.o.notifier.instanceAction(ctx, fresh, 'interface_detach', 'end');
  }
}
