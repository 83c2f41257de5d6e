/**
 * OS-ENDPOINT-POLICY (keystone/api/policy.py and endpoints.py, Zed): policies associated with an
 * endpoint, a service, or a service in a region (PUT associates, GET or HEAD checks, DELETE
 * removes; each answers 204), the endpoints a policy applies to, and the policy that applies to
 * an endpoint. Every named policy, endpoint, service and region must exist (404), as upstream
 * reads each one before the association.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EndpointRecord } from '../catalog/backends/base.js';
import { forEndpoint, forService, forServiceInRegion } from '../endpoint_policy/core.js';
import type { PolicyTarget } from '../endpoint_policy/backends/base.js';
import { authorize, params, type ResourceDeps, wrapCollection, wrapMember } from './resource-common.js';

const BASE = '/v3/policies/:policy_id/OS-ENDPOINT-POLICY';

/** An endpoint as this API lists it: without legacy_endpoint_id (upstream's _remove_legacy_ids). */
const listed = ({ legacy_endpoint_id: _legacy, ...e }: EndpointRecord): EndpointRecord => e as EndpointRecord;

/** The routes of one kind of association: its path below BASE, its rules' suffix and its target. */
interface AssociationKind {
  path: string;
  rule: string;
  target(deps: ResourceDeps, p: Record<string, string | undefined>): Promise<PolicyTarget>;
}

const KINDS: AssociationKind[] = [
  {
    path: '/endpoints/:endpoint_id',
    rule: 'endpoint',
    target: async (deps, p) => {
      await deps.managers.catalog.getEndpoint(p.endpoint_id!);
      return forEndpoint(p.endpoint_id!);
    },
  },
  {
    path: '/services/:service_id',
    rule: 'service',
    target: async (deps, p) => {
      await deps.managers.catalog.getService(p.service_id!);
      return forService(p.service_id!);
    },
  },
  {
    path: '/services/:service_id/regions/:region_id',
    rule: 'region_and_service',
    target: async (deps, p) => {
      await deps.managers.catalog.getService(p.service_id!);
      await deps.managers.catalog.getRegion(p.region_id!);
      return forServiceInRegion(p.service_id!, p.region_id!);
    },
  },
];

export function registerEndpointPolicyRoutes(app: FastifyInstance, deps: ResourceDeps): void {
  const m = deps.managers;

  app.get(`${BASE}/endpoints`, async (req) => {
    authorize(deps, req, 'identity:list_endpoints_for_policy');
    const policyId = params(req).policy_id!;
    await m.policies.getPolicy(policyId);
    return wrapCollection(deps, req, 'endpoints', (await m.endpointPolicy.listEndpointsForPolicy(policyId)).map(listed));
  });

  for (const kind of KINDS) {
    /** Enforce, then read the policy and the target (404s), then `act`; 204. */
    const route = (action: string, act: (policyId: string, target: PolicyTarget) => Promise<void>) =>
      async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
        authorize(deps, req, `identity:${action}_policy_association_for_${kind.rule}`);
        const p = params(req);
        await m.policies.getPolicy(p.policy_id!);
        await act(p.policy_id!, await kind.target(deps, p));
        reply.code(204).send();
      };
    app.put(`${BASE}${kind.path}`, route('create', (policyId, target) => m.endpointPolicy.createPolicyAssociation(policyId, target)));
    app.get(`${BASE}${kind.path}`, route('check', (policyId, target) => m.endpointPolicy.checkPolicyAssociation(policyId, target)));
    app.delete(`${BASE}${kind.path}`, route('delete', (policyId, target) => m.endpointPolicy.deletePolicyAssociation(policyId, target)));
  }

  // Upstream wraps the policy as a member of 'endpoints', so its self link reads /v3/endpoints/<policy id>.
  app.get('/v3/endpoints/:endpoint_id/OS-ENDPOINT-POLICY/policy', async (req) => {
    authorize(deps, req, 'identity:get_policy_for_endpoint');
    return wrapMember(deps, 'endpoints', 'policy', await m.endpointPolicy.getPolicyForEndpoint(params(req).endpoint_id!));
  });
}
