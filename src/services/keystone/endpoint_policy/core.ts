/**
 * Endpoint policies (OS-ENDPOINT-POLICY, keystone/endpoint_policy/core.py): which policy blob
 * (/v3/policies) goes with an endpoint, either associated with it directly, with its service
 * in its region or a parent region, or with its service, looked for in that order. Over an
 * EndpointPolicyDriver (backends/base.ts) chosen by `[endpoint_policy] driver`; a deleted
 * policy, endpoint, service or region takes its associations with it (upstream's callbacks).
 */
import { NotFound } from '../../../common/errors.js';
import { PolicyAssociationNotFound } from '../errors.js';
import type { CatalogManager } from '../catalog/core.js';
import type { EndpointRecord, RegionRecord } from '../catalog/backends/base.js';
import type { KeystoneEvents } from '../events.js';
import type { PolicyBlobRecord } from '../policy/backends/base.js';
import type { PolicyBlobManager } from '../policy/core.js';
import type { EndpointPolicyDriver, PolicyTarget } from './backends/base.js';

export interface EndpointPolicyManagerDeps {
  catalog: CatalogManager;
  policies: PolicyBlobManager;
  events: KeystoneEvents;
}

/** The three kinds of target the API names (and no other mix). */
export const forEndpoint = (endpointId: string): PolicyTarget => ({ endpointId, serviceId: null, regionId: null });
export const forService = (serviceId: string): PolicyTarget => ({ endpointId: null, serviceId, regionId: null });
export const forServiceInRegion = (serviceId: string, regionId: string): PolicyTarget => ({ endpointId: null, serviceId, regionId });

export class EndpointPolicyManager {
  constructor(private readonly driver: EndpointPolicyDriver, private readonly deps: EndpointPolicyManagerDeps) {
    deps.events.on('endpoint.deleted', ({ endpointId }) => driver.deleteAssociationsOf('endpoint', endpointId));
    deps.events.on('service.deleted', ({ serviceId }) => driver.deleteAssociationsOf('service', serviceId));
    deps.events.on('region.deleted', ({ regionId }) => driver.deleteAssociationsOf('region', regionId));
    deps.events.on('policy.deleted', ({ policyId }) => driver.deleteAssociationsOf('policy', policyId));
  }

  createPolicyAssociation(policyId: string, target: PolicyTarget): Promise<void> {
    return this.driver.createPolicyAssociation(policyId, target);
  }

  /** @throws PolicyAssociationNotFound */
  async checkPolicyAssociation(policyId: string, target: PolicyTarget): Promise<void> {
    if (!(await this.driver.checkPolicyAssociation(policyId, target))) throw new PolicyAssociationNotFound();
  }

  deletePolicyAssociation(policyId: string, target: PolicyTarget): Promise<void> {
    return this.driver.deletePolicyAssociation(policyId, target);
  }

  /**
   * The endpoints the policy applies to: those associated directly, every endpoint of an
   * associated service, and of a service in a region, the endpoints in that region and the
   * regions below it.
   */
  async listEndpointsForPolicy(policyId: string): Promise<EndpointRecord[]> {
    const endpoints = await this.deps.catalog.listEndpoints();
    const regions = await this.deps.catalog.listRegions();
    const found: EndpointRecord[] = [];
    for (const a of await this.driver.listAssociationsForPolicy(policyId)) {
      if (a.endpointId !== null) found.push(await this.deps.catalog.getEndpoint(a.endpointId));
      else if (a.serviceId !== null && a.regionId === null) found.push(...endpoints.filter((e) => e.service_id === a.serviceId));
      else if (a.serviceId !== null && a.regionId !== null) {
        const within = regionTree(a.regionId, regions);
        found.push(...endpoints.filter((e) => e.service_id === a.serviceId && e.region_id !== null && within.has(e.region_id)));
      }
    }
    return found;
  }

  /**
   * The policy of an endpoint: its own association, else its service's in its region or the
   * nearest parent region, else its service's.
   * @throws EndpointNotFound, NotFound when no policy applies
   */
  async getPolicyForEndpoint(endpointId: string): Promise<PolicyBlobRecord> {
    const endpoint = await this.deps.catalog.getEndpoint(endpointId);
    const own = await this.driver.getPolicyAssociation(forEndpoint(endpointId));
    if (own !== undefined) return this.deps.policies.getPolicy(own);
    const seen = new Set<string>();
    for (let regionId = endpoint.region_id; regionId !== null && !seen.has(regionId);) {
      seen.add(regionId);
      const inRegion = await this.driver.getPolicyAssociation(forServiceInRegion(endpoint.service_id, regionId));
      if (inRegion !== undefined) return this.deps.policies.getPolicy(inRegion);
      regionId = (await this.deps.catalog.getRegion(regionId)).parent_region_id;
    }
    const ofService = await this.driver.getPolicyAssociation(forService(endpoint.service_id));
    if (ofService !== undefined) return this.deps.policies.getPolicy(ofService);
    throw new NotFound(`No policy is associated with endpoint ${endpointId}.`);
  }
}

/** `regionId` and every region below it (a circular tree is walked once). */
function regionTree(regionId: string, regions: readonly RegionRecord[]): Set<string> {
  const within = new Set<string>([regionId]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of regions) {
      if (r.parent_region_id !== null && within.has(r.parent_region_id) && !within.has(r.id)) {
        within.add(r.id);
        grew = true;
      }
    }
  }
  return within;
}
