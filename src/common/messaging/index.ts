/**
 * The message bus, in oslo.messaging's shape: a Transport chosen by transport_url
 * (`inproc://` in one process, `rabbit://` on RabbitMQ), RPC (RpcClient call/cast/fanout,
 * RpcServer with versioned endpoints) and notifications (Notifier, NotificationListener), with
 * oslo's serializer hook (NoOpSerializer by default, RequestContextSerializer for RequestContexts).
 */
export { getTransport, Transport, type TransportOptions } from './transport.js';
export { describeTarget, type ServerTarget, type Target } from './target.js';
export type { MessageContext } from './envelope.js';
export type { BusLogger } from './logger.js';
export { NoOpSerializer, type EntitySerializer, type Serializer } from './serializer.js';
export { RequestContextSerializer } from './request-context-serializer.js';
export { RpcClient, type PrepareOptions, type RpcClientOptions } from './rpc-client.js';
export { RpcServer, type RpcServerOptions } from './rpc-server.js';
export type { EndpointTarget, RpcEndpoint } from './rpc-dispatcher.js';
export {
  Notifier,
  NOTIFICATION_PRIORITIES,
  osloTimestamp,
  type NotificationPriority,
  type NotifierOptions,
  type NotifyContext,
} from './notifier.js';
export {
  NotificationListener,
  NotificationResult,
  type NotificationEndpoint,
  type NotificationHandler,
  type NotificationListenerOptions,
  type NotificationMetadata,
} from './listener.js';
export { NotificationFilter, type NotificationFilterRule } from './notification-filter.js';
export { versionIsCompatible } from './version.js';
export {
  InvalidTarget,
  InvalidTransportUrl,
  MessageDeliveryFailure,
  MessageUndeliverable,
  MessagingError,
  MessagingTimeout,
  NoSuchMethod,
  RemoteError,
  RpcVersionCapError,
  TransportUnavailableError,
  UnsupportedVersion,
} from './errors.js';
export { osloMessagingNotificationsGroup } from './notification-options.js';
