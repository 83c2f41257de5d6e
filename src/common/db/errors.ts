/**
 * Errors of the SQL layer. All are operator-facing (start-up and configuration problems), so
 * they extend OperatorError and carry one actionable line; the driver error stays in `cause`.
 */
import { OperatorError } from '../errors.js';

/** The configured database URL cannot be parsed or is not supported. */
export class DatabaseUrlError extends OperatorError {
  /** The URL with its password masked. */
  readonly url: string;

  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(`invalid database URL "${url}": ${reason}`, options);
    this.url = url;
  }
}

/** The database cannot be reached or opened (closed port, bad credentials, unwritable file, ...). */
export class DatabaseUnavailableError extends OperatorError {
  /** The URL with its password masked. */
  readonly url: string;
  readonly service: string;

  constructor(url: string, service: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot connect to database ${url} for ${service}: ${reason}`, options);
    this.url = url;
    this.service = service;
  }
}

/** A schema migration failed, or the database holds migrations this code does not know. */
export class MigrationError extends OperatorError {
  /** Name of the migration that failed, when one did. */
  readonly migration: string | undefined;

  constructor(message: string, migration: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.migration = migration;
  }
}

/** The first line of an error's message (driver messages sometimes span several lines). */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').trim() || (err instanceof Error ? err.name : 'unknown error');
}
