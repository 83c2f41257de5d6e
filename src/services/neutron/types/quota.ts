/** Quota limits, usage details and what updating a project's quotas takes. */

export const QUOTA_RESOURCE_NAMES = [
  'network', 'subnet', 'subnetpool', 'port', 'router', 'floatingip', 'security_group', 'security_group_rule', 'rbac_policy',
] as const;

export type QuotaResource = (typeof QUOTA_RESOURCE_NAMES)[number];

export function isQuotaResource(name: string): name is QuotaResource {
  return (QUOTA_RESOURCE_NAMES as readonly string[]).includes(name);
}

/** One value per quota resource. */
export function perQuotaResource<T>(value: (r: QuotaResource) => T): Record<QuotaResource, T> {
  return {
    network: value('network'), subnet: value('subnet'), subnetpool: value('subnetpool'), port: value('port'), router: value('router'),
    floatingip: value('floatingip'), security_group: value('security_group'), security_group_rule: value('security_group_rule'),
    rbac_policy: value('rbac_policy'),
  };
}

/** Limit per resource (-1: unlimited). */
export type QuotaLimits = Record<QuotaResource, number>;

export interface QuotaUsage {
  limit: number;
  used: number;
  reserved: number;
}

export type QuotaDetails = Record<QuotaResource, QuotaUsage>;

/** A project with limits of its own (GET /v2.0/quotas). */
export type ProjectQuota = QuotaLimits & { project_id: string; tenant_id: string };

/**
 * PUT /v2.0/quotas/{project}: new limits. As in Neutron Zed (quota-check-limit extension), a
 * limit below current usage is refused only when the body asks with `check_limit: true`;
 * `force` is accepted and, as there, changes nothing.
 */
export interface QuotaUpdate {
  limits: Partial<QuotaLimits>;
  checkLimit: boolean;
}
