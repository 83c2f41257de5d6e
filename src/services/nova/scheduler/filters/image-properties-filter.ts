/**
 * ImagePropertiesFilter (nova/scheduler/filters/image_props_filter.py): the host's hypervisor
 * runs the image's architecture (hw_architecture), hypervisor type (img_hv_type) and VM mode
 * (hw_vm_mode), at the version it asks for (img_hv_requested_version, e.g. ">=6000").
 */
import type { HostFilter } from './base.js';
import { matchExtraSpec } from './extra-specs-ops.js';

const ARCH_ALIASES: Record<string, string> = { amd64: 'x86_64', x64: 'x86_64', x86: 'i686', i386: 'i686', arm64: 'aarch64' };
const HV_ALIASES: Record<string, string> = { xapi: 'xen' };
const MODE_ALIASES: Record<string, string> = { pv: 'xen', hv: 'hvm', baremetal: 'hvm' };

function canonical(value: string | undefined, aliases: Record<string, string>): string | undefined {
  if (!value) return undefined;
  const v = value.toLowerCase();
  return aliases[v] ?? v;
}

export function imagePropertiesFilter(): HostFilter {
  return {
    name: 'ImagePropertiesFilter',
    hostPasses(host, spec) {
      const props = spec.data.image.data.properties;
      const wanted = [
        canonical(props['hw_architecture'] ?? props['architecture'], ARCH_ALIASES),
        canonical(props['img_hv_type'] ?? props['hypervisor_type'], HV_ALIASES),
        canonical(props['hw_vm_mode'] ?? props['vm_mode'], MODE_ALIASES),
      ];
      const version = props['img_hv_requested_version'];
      if (!wanted.some(Boolean) && !version) return true;
      const supported = host.supportedInstances;
      if (supported.length === 0) return false;
      const versionOk = !version || !host.hypervisorVersion || matchExtraSpec(String(host.hypervisorVersion), version.replace(/^(>=|<=|==|!=)/, '$1 ').trim());
      return supported.some((s) => wanted.every((w) => !w || s.includes(w))) && versionOk;
    },
  };
}
