/** network-ip-availability: per network and per subnet, addresses in the pools and in use. */

/** A count as exact as it can be: IPv6 pools hold more than 2^53 addresses (sent as JSON integers). */
export type IpCount = number | bigint;

export interface SubnetIpAvailability {
  subnet_id: string;
  subnet_name: string;
  cidr: string;
  ip_version: 4 | 6;
  total_ips: IpCount;
  used_ips: number;
}

export interface NetworkIpAvailability {
  network_id: string;
  network_name: string;
  tenant_id: string;
  project_id: string;
  total_ips: IpCount;
  used_ips: number;
  subnet_ip_availability: SubnetIpAvailability[];
}
