/**
 * withRetry: runs an operation again when it lost a race the database reports as retryable
 * (isRetryableError: SQLite busy, PostgreSQL serialization failure/deadlock, MySQL deadlock).
 * Wrap the whole transaction, never a statement inside one: after such an error the
 * transaction is rolled back (PostgreSQL, MySQL deadlock) and must be replayed from the start.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryableError } from './sql-errors.js';

export interface RetryOptions {
  /** Total attempts, including the first (default 5). */
  readonly attempts?: number;
  /** First back-off delay; doubles each retry, with jitter (default 10 ms). */
  readonly baseDelayMs?: number;
  /** Upper bound of one delay (default 500 ms). */
  readonly maxDelayMs?: number;
  /** Which errors to retry (default isRetryableError). */
  readonly isRetryable?: (err: unknown) => boolean;
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const baseDelayMs = opts.baseDelayMs ?? 10;
  const maxDelayMs = opts.maxDelayMs ?? 500;
  const isRetryable = opts.isRetryable ?? isRetryableError;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a positive integer, got ${attempts}`);

  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !isRetryable(err)) throw err;
      const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
      await sleep(delay / 2 + Math.random() * (delay / 2));
    }
  }
}
