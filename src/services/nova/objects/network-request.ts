/**
 * nova.objects.NetworkRequest(List): the networks a server asked for: a network (with an
 * optional fixed IP), a port, or one of the special requests `auto` and `none` (2.37), which
 * are a list with one request whose network_id is 'auto' or 'none'.
 */
import { NovaObject } from './base.js';

export interface NetworkRequestFields {
  network_id: string | null;
  address: string | null;
  port_id: string | null;
  tag: string | null;
}

export class NetworkRequest extends NovaObject<NetworkRequestFields> {
  static readonly objName = 'NetworkRequest';
  static readonly VERSION = '1.3';

  get isAuto(): boolean { return this.data.network_id === 'auto'; }
  get isNone(): boolean { return this.data.network_id === 'none'; }
}

export class NetworkRequestList extends NovaObject<{ objects: NetworkRequest[] }> {
  static readonly objName = 'NetworkRequestList';
  static readonly VERSION = '1.1';

  get objects(): NetworkRequest[] { return this.data.objects; }
  /** `auto`: allocate a network for the project if none is available (get-me-a-network). */
  get isAuto(): boolean { return this.objects.length === 1 && this.objects[0]!.isAuto; }
  /** `none`: no networking at all. */
  get isNone(): boolean { return this.objects.length === 1 && this.objects[0]!.isNone; }

  static of(requests: NetworkRequestFields[]): NetworkRequestList {
    return new NetworkRequestList({ objects: requests.map((r) => new NetworkRequest(r)) });
  }
}
