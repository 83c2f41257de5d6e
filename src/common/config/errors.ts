/**
 * Errors of the configuration module. Everything an operator can get wrong (a bad value, a
 * missing file, a syntax error) is a ConfigError: one line that names the option and where its
 * value came from.
 */
import { OperatorError } from '../errors.js';

/** A configuration problem, reported to the operator as one actionable line. */
export class ConfigError extends OperatorError {
  /** The option group concerned, when there is one ("DEFAULT", "database"). */
  readonly group: string | undefined;
  /** The option concerned, when there is one. */
  readonly key: string | undefined;
  /** Where the offending value came from ("default", "/etc/nubo/nubo.conf:3", "env NUBO_BIND", "cli"). */
  readonly source: string | undefined;

  constructor(
    message: string,
    details: { group?: string; key?: string; source?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.group = details.group;
    this.key = details.key;
    this.source = details.source;
  }
}

/** A syntax error in an INI file; the message names the file and the line. */
export class IniParseError extends ConfigError {
  readonly file: string;
  readonly line: number;

  constructor(reason: string, file: string, line: number, text: string) {
    super(`${file}:${line}: ${reason}: ${JSON.stringify(text)}`, { source: `${file}:${line}` });
    this.file = file;
    this.line = line;
  }
}

/**
 * A raw value that an option's type rejects, or a malformed `$` reference. `reason` reads as a
 * predicate of the value ("is not an integer"); Config wraps it into a ConfigError that names
 * the option and the value's source.
 */
export class OptValueError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'OptValueError';
    this.reason = reason;
  }
}
