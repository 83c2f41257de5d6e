/**
 * Instance diagnostics as a virt driver reports them (nova/virt/diagnostics.py's Diagnostics,
 * the standard format of microversion 2.48): the guest's state, its driver and hypervisor, its
 * uptime, and per CPU, NIC and disk what the hypervisor can measure (null where it cannot).
 */
export interface CpuDiagnostics {
  id: number;
  /** CPU time in nanoseconds. */
  time: number | null;
  /** Percent. */
  utilisation: number | null;
}

export interface NicDiagnostics {
  mac_address: string | null;
  rx_octets: number | null;
  rx_errors: number | null;
  rx_drop: number | null;
  rx_packets: number | null;
  rx_rate: number | null;
  tx_octets: number | null;
  tx_errors: number | null;
  tx_drop: number | null;
  tx_packets: number | null;
  tx_rate: number | null;
}

export interface DiskDiagnostics {
  read_bytes: number | null;
  read_requests: number | null;
  write_bytes: number | null;
  write_requests: number | null;
  errors_count: number | null;
}

export interface InstanceDiagnostics {
  /** pending, running, paused, shutdown, crashed, suspended. */
  state: string;
  driver: string;
  hypervisor: string | null;
  hypervisor_os: string | null;
  /** Seconds since the guest was powered on. */
  uptime: number | null;
  config_drive: boolean;
  num_cpus: number;
  num_nics: number;
  num_disks: number;
  cpu_details: CpuDiagnostics[];
  nic_details: NicDiagnostics[];
  disk_details: DiskDiagnostics[];
  /** MiB. */
  memory_details: { maximum: number | null; used: number | null };
}

