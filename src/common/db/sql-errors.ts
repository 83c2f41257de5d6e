/**
 * Classifies driver errors the same way on every dialect. The codes are the drivers' own:
 * better-sqlite3 extended result codes, PostgreSQL SQLSTATEs (pg `code`), MySQL/MariaDB
 * errnos (mysql2 `errno`). The `cause` chain is searched too, for errors wrapped by callers.
 */

interface DriverError {
  code?: unknown;
  errno?: unknown;
  cause?: unknown;
}

function someInChain(err: unknown, test: (code: unknown, errno: unknown) => boolean): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as DriverError;
    if (test(e.code, e.errno)) return true;
    current = e.cause;
  }
  return false;
}

const SQLITE_UNIQUE = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);
const PG_UNIQUE = '23505';
/** ER_DUP_ENTRY, ER_DUP_UNIQUE, ER_DUP_ENTRY_WITH_KEY_NAME */
const MYSQL_UNIQUE = new Set([1062, 1169, 1586]);

const SQLITE_FK = 'SQLITE_CONSTRAINT_FOREIGNKEY';
const PG_FK = '23503';
/** ER_NO_REFERENCED_ROW, ER_ROW_IS_REFERENCED, ER_ROW_IS_REFERENCED_2, ER_NO_REFERENCED_ROW_2 */
const MYSQL_FK = new Set([1216, 1217, 1451, 1452]);

/** serialization_failure, deadlock_detected */
const PG_RETRYABLE = new Set(['40001', '40P01']);
/** ER_LOCK_DEADLOCK; ER_CHECKREAD (MariaDB: "record has changed since last read") */
const MYSQL_RETRYABLE = new Set([1213, 1020]);

/** A UNIQUE or PRIMARY KEY constraint was violated. */
export function isUniqueViolation(err: unknown): boolean {
  return someInChain(err, (code, errno) =>
    (typeof code === 'string' && (SQLITE_UNIQUE.has(code) || code === PG_UNIQUE)) ||
    (typeof errno === 'number' && MYSQL_UNIQUE.has(errno)));
}

/** A FOREIGN KEY constraint was violated (missing parent, or a parent still referenced). */
export function isForeignKeyViolation(err: unknown): boolean {
  return someInChain(err, (code, errno) =>
    code === SQLITE_FK || code === PG_FK || (typeof errno === 'number' && MYSQL_FK.has(errno)));
}

/**
 * The statement or transaction lost a race and may succeed when run again: SQLite busy/locked,
 * PostgreSQL serialization failure or deadlock, MySQL/MariaDB deadlock. (Lock wait timeouts are
 * not included: they already waited a long time.)
 */
export function isRetryableError(err: unknown): boolean {
  return someInChain(err, (code, errno) =>
    (typeof code === 'string' &&
      (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || PG_RETRYABLE.has(code))) ||
    (typeof errno === 'number' && MYSQL_RETRYABLE.has(errno)));
}
