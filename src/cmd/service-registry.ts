/**
 * Every service Nubo can run, by the name used in `enabled_services` and `nubo serve NAME`.
 * Identity comes first: the others need its token validator and catalog.
 */
import type { IdentityInstance, ServicePlugin } from '../common/service/plugin.js';
import { identityPlugin } from '../services/keystone/index.js';
import { imagePlugin } from '../services/glance/index.js';
import { networkPlugin } from '../services/neutron/index.js';

export const identity: ServicePlugin<IdentityInstance> = identityPlugin;

export const servicePlugins: readonly ServicePlugin[] = [identityPlugin, imagePlugin, networkPlugin];

export function pluginByName(name: string): ServicePlugin | undefined {
  return servicePlugins.find((p) => p.name === name);
}
