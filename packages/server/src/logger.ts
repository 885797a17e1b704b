import { ERRORS, ParleyError } from "@parley/protocol";
import { pino, destination, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * The server logger: pino, one JSON object per line on stdout. Writes are
 * synchronous so the `listening` line and the last shutdown lines are never
 * lost when the process exits right after them (tests and supervisors parse them).
 */
export function createLogger(level = "info"): Logger {
  return pino({ level, base: { name: "parley" } }, destination({ dest: 1, sync: true }));
}

/** A logger that discards everything, for tests and embedding. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/**
 * Logs a server-side failure answered to a client as a ParleyError that wraps
 * a cause (a store, log or key-set outage as UNAVAILABLE): the client gets
 * only code and message, so the cause is written here or nowhere. Refusals
 * of the client's own mistakes (4xx) are not logged.
 */
export function logWrappedFailure(logger: Logger, err: unknown, context: object, msg: string): void {
  if (err instanceof ParleyError && err.cause !== undefined && ERRORS[err.code].status >= 500) {
    logger.warn({ ...context, err }, msg);
  }
}
