/**
 * The standard resource classes of os-resource-classes 1.1.0 (github:openstack/os-resource-classes
 * at tag 1.1.0, the release in Zed's upper-constraints), in the order of `STANDARDS`: a class's
 * internal id is its index here (placement/objects/resource_class.py _resource_classes_sync),
 * custom classes (CUSTOM_*) get ids from 10000 up. Generated from that tag.
 */
export const STANDARD_RESOURCE_CLASSES: readonly string[] = [
  'VCPU',
  'MEMORY_MB',
  'DISK_GB',
  'PCI_DEVICE',
  'SRIOV_NET_VF',
  'NUMA_SOCKET',
  'NUMA_CORE',
  'NUMA_THREAD',
  'NUMA_MEMORY_MB',
  'IPV4_ADDRESS',
  'VGPU',
  'VGPU_DISPLAY_HEAD',
  'NET_BW_EGR_KILOBIT_PER_SEC',
  'NET_BW_IGR_KILOBIT_PER_SEC',
  'PCPU',
  'MEM_ENCRYPTION_CONTEXT',
  'FPGA',
  'PGPU',
  'NET_PACKET_RATE_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC',
];

/** Ids of custom resource classes start here (ResourceClass.MIN_CUSTOM_RESOURCE_CLASS_ID). */
export const MIN_CUSTOM_RESOURCE_CLASS_ID = 10000;
