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
