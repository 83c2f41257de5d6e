/**
 * The logger the bus writes to: any pino-like object (a pino Logger fits). Without one, warnings
 * and errors go to stderr as single lines and the rest is dropped.
 */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

function toStderr(level: string) {
  return (obj: object, msg?: string): void => {
    const err = (obj as { err?: unknown }).err;
    const detail = err instanceof Error ? `: ${err.stack ?? err.message}` : '';
    process.stderr.write(`${level} messaging: ${msg ?? JSON.stringify(obj)}${detail}\n`);
  };
}

export const stderrLogger: BusLogger = {
  debug: () => {},
  info: () => {},
  warn: toStderr('WARN'),
  error: toStderr('ERROR'),
};
