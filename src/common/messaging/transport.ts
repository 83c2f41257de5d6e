/**
 * The transport: a connection to the message bus chosen by `transport_url`
 * (oslo_messaging/transport.py get_transport). `inproc://[name]` is the all-in-one default;
 * `rabbit://` / `amqp://` / `amqps://` connect to RabbitMQ. RPC clients and servers, notifiers
 * and listeners are built on a transport; closing it stops all of them.
 */
import type { Broker } from './drivers/broker.js';
import { InprocBroker } from './drivers/inproc.js';
import { BusDriver } from './driver.js';
import { stderrLogger, type BusLogger } from './logger.js';
import { parseTransportUrl } from './transport-url.js';

export interface TransportOptions {
  /** The default exchange of targets (oslo's control_exchange); default "openstack". */
  controlExchange?: string;
  log?: BusLogger;
}

export class Transport {
  private closing: Promise<void> | undefined;

  constructor(
    /** The transport URL with passwords masked. */
    readonly url: string,
    readonly driver: BusDriver,
  ) {}

  /** Whether the bus lives in this process (`inproc://`): its queued messages die with it. */
  get inProcess(): boolean {
    return parseTransportUrl(this.url).kind === 'inproc';
  }

  get controlExchange(): string {
    return this.driver.controlExchange;
  }

  get log(): BusLogger {
    return this.driver.log;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Stop every consumer of this transport, delete its reply queue and disconnect. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.driver.close();
    return this.closing;
  }
}

/**
 * Open a transport. Throws InvalidTransportUrl for a URL it cannot use and
 * TransportUnavailableError (one line, password masked) when the broker cannot be reached.
 */
export async function getTransport(url: string, opts: TransportOptions = {}): Promise<Transport> {
  const log = opts.log ?? stderrLogger;
  const parsed = parseTransportUrl(url);
  const broker: Broker =
    parsed.kind === 'inproc' ? InprocBroker.open(parsed.name, log) : await (await import('./drivers/amqp.js')).AmqpBroker.connect(parsed, log);
  return new Transport(parsed.redacted, new BusDriver(broker, opts.controlExchange ?? 'openstack', log));
}
