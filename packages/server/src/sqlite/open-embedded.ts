import type { Logger } from "../logger.js";
import { openSqliteDb, type ModeChange, type SqliteDb } from "./db.js";
import { SqliteStore } from "./store.js";
import { EmbeddedLog, type EmbeddedLogOptions } from "./embedded-log.js";

/** The embedded mode's storage: one SQLite database shared by the log and the store. */
export interface EmbeddedStorage {
  readonly db: SqliteDb;
  readonly log: EmbeddedLog;
  readonly store: SqliteStore;
  /** Closes the log (flushing pending appends), the store, then the database. */
  close(): Promise<void>;
}

/** The options openEmbedded reads; a ParleyConfig satisfies it. */
export interface EmbeddedConfig {
  readonly dataDir: string;
  readonly durability: string;
  readonly commitIntervalMs: number;
  readonly commitMaxBatch: number;
  readonly dedupeWindowHours: number;
}

/**
 * Opens `<dataDir>/parley.db` and builds the EventLog and Store on it; `options` override log defaults;
 * `logger` hears of data dir and database permissions tightened to owner-only. Call `log.start()` and `store.start()` next.
 */
export function openEmbedded(
  config: EmbeddedConfig,
  options: Partial<EmbeddedLogOptions> = {},
  logger?: Pick<Logger, "warn">,
): EmbeddedStorage {
  const onTightened = logger && tightenedWarning(logger);
  const db = openSqliteDb({
    dataDir: config.dataDir,
    durability: config.durability,
    ...(onTightened && { onTightened }),
  });
  const log = new EmbeddedLog(db, {
    commitIntervalMs: config.commitIntervalMs,
    commitMaxBatch: config.commitMaxBatch,
    dedupeWindowHours: config.dedupeWindowHours,
    ...options,
  });
  const store = new SqliteStore(db, { catchUpSearch: () => log.catchUpSearch() });
  return {
    db,
    log,
    store,
    async close() {
      try {
        await log.close();
        await store.close();
      } finally {
        if (db.open) db.close();
      }
    },
  };
}

function tightenedWarning(logger: Pick<Logger, "warn">): (change: ModeChange) => void {
  const octal = (mode: number) => mode.toString(8).padStart(4, "0");
  return ({ path, from, to }) =>
    logger.warn({ path, from: octal(from), to: octal(to) }, "data dir permissions tightened to owner-only");
}
