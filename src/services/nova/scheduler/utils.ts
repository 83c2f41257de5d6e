/**
 * What a request spec asks of Placement (nova/scheduler/utils.py ResourceRequest): VCPU,
 * MEMORY_MB and DISK_GB from the flavor (no root disk for a volume-backed server), overridden
 * by `resources:<CLASS>=<n>` extra specs, and the traits required or forbidden by
 * `trait:<TRAIT>=required|forbidden` extra specs and image properties.
 */
import type { RequestSpec } from '../objects/index.js';
import type { Resources } from './client/report.js';

export interface ResourceRequest {
  resources: Resources;
  required: string[];
  forbidden: string[];
}

export function resourcesFromRequestSpec(spec: RequestSpec): ResourceRequest {
  const f = spec.data.flavor.data;
  const swapGb = Math.ceil(f.swap / 1024);
  const resources: Resources = {
    VCPU: f.vcpus,
    MEMORY_MB: f.memory_mb,
    DISK_GB: spec.data.is_bfv ? f.ephemeral_gb + swapGb : f.root_gb + f.ephemeral_gb + swapGb,
  };
  const required = new Set<string>();
  const forbidden = new Set<string>();
  for (const [key, value] of Object.entries(f.extra_specs)) {
    const res = /^resources:([A-Z0-9_]+)$/.exec(key);
    if (res) {
      const n = Number.parseInt(value, 10);
      if (Number.isInteger(n) && n >= 0) resources[res[1]!] = n;
      continue;
    }
    const trait = /^trait:([A-Z0-9_]+)$/.exec(key);
    if (trait) {
      if (value === 'required') required.add(trait[1]!);
      else if (value === 'forbidden') forbidden.add(trait[1]!);
    }
  }
  for (const [key, value] of Object.entries(spec.data.image.data.properties)) {
    const trait = /^trait:([A-Z0-9_]+)$/.exec(key);
    if (trait && value === 'required') required.add(trait[1]!);
  }
  for (const [rc, n] of Object.entries(resources)) if (n === 0) delete resources[rc];
  return { resources, required: [...required], forbidden: [...forbidden] };
}
