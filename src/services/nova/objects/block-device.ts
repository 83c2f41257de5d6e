/**
 * nova.objects.BlockDeviceMapping: one disk of a server: the image disk (source image,
 * destination local, boot index 0), a volume (destination volume), blank ephemeral or swap.
 */
import { NovaObject } from './base.js';

export interface BlockDeviceMappingFields {
  uuid: string;
  instance_uuid: string;
  source_type: 'image' | 'volume' | 'snapshot' | 'blank';
  destination_type: 'local' | 'volume';
  guest_format: string | null;
  device_type: string | null;
  disk_bus: string | null;
  boot_index: number | null;
  device_name: string | null;
  delete_on_termination: boolean;
  snapshot_id: string | null;
  volume_id: string | null;
  volume_size: number | null;
  volume_type: string | null;
  image_id: string | null;
  no_device: boolean;
  connection_info: string | null;
  tag: string | null;
  attachment_id: string | null;
}

export class BlockDeviceMapping extends NovaObject<BlockDeviceMappingFields> {
  static readonly objName = 'BlockDeviceMapping';
  static readonly VERSION = '1.20';

  get isVolume(): boolean { return this.data.destination_type === 'volume'; }
  get isRoot(): boolean { return this.data.boot_index === 0; }
}
