/**
 * Errors of the message bus, named as oslo.messaging names them (MessagingTimeout, RemoteError,
 * NoSuchMethod, UnsupportedVersion, RPCVersionCapError, InvalidTarget, MessageDeliveryFailure).
 * A broker that cannot be reached at startup is an operator problem: TransportUnavailableError
 * carries one actionable line.
 */
import { OperatorError } from '../errors.js';

/** Base class of every bus error except the operator-facing ones. */
export class MessagingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No reply arrived within the call's timeout (nobody listening, or the server is too slow). */
export class MessagingTimeout extends MessagingError {
  constructor(
    message: string,
    readonly topic: string,
    readonly server: string | undefined,
    readonly method: string,
    readonly timeoutSeconds: number,
  ) {
    super(message);
  }
}

/** The exception an endpoint raised on the server, carried back to the caller. */
export class RemoteError extends MessagingError {
  /** The class name of the remote error (oslo's exc_type), e.g. `NotFound`, `NoSuchMethod`. */
  readonly excType: string;
  /** The remote error's message (oslo's value). */
  readonly value: string;
  /** The remote stack trace, as text. */
  readonly traceback: string;
  /** A numeric `status` (or, failing that, `code`) the remote error carried: an HTTP status to map. */
  readonly status: number | undefined;
  /** A numeric `code` the remote error carried. */
  readonly code: number | undefined;
  /** Extra attributes the remote error carried (oslo's failure kwargs). */
  readonly kwargs: Record<string, unknown>;

  constructor(
    excType: string,
    value: string,
    traceback: string,
    kwargs: Record<string, unknown> = {},
  ) {
    super(`Remote error: ${excType} ${value}`);
    this.excType = excType;
    this.value = value;
    this.traceback = traceback;
    this.kwargs = kwargs;
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
    this.code = num(kwargs['code']);
    this.status = num(kwargs['status']) ?? this.code;
  }
}

/** Raised on the server when no endpoint exposes the requested method. */
export class NoSuchMethod extends MessagingError {
  constructor(readonly method: string) {
    super(`Endpoint does not support RPC method ${method}`);
  }
}

/** Raised on the server when no endpoint supports the requested version/namespace. */
export class UnsupportedVersion extends MessagingError {
  constructor(readonly version: string, readonly method?: string) {
    super(`Endpoint does not support RPC version ${version}${method ? `. Attempted method: ${method}` : ''}`);
  }
}

/** The client refuses to send a version above its version cap. */
export class RpcVersionCapError extends MessagingError {
  constructor(readonly version: string, readonly versionCap: string) {
    super(
      `Requested message version, ${version} is incompatible. It needs to be equal in major version ` +
        `and less than or equal in minor version as the specified version cap ${versionCap}.`,
    );
  }
}

/** The target cannot be used for this operation (a call with fanout, a missing topic...). */
export class InvalidTarget extends MessagingError {}

/** A message could not be handed to the broker (transport closed, broker refused it). */
export class MessageDeliveryFailure extends MessagingError {}

/** A mandatory message no queue would take (nobody ever declared the target's queue). */
export class MessageUndeliverable extends MessageDeliveryFailure {}

/** The transport URL cannot be understood. */
export class InvalidTransportUrl extends OperatorError {}

/** The message broker cannot be reached: one actionable line for the operator. */
export class TransportUnavailableError extends OperatorError {}
