import { chmodSync, closeSync, mkdirSync, openSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ParleyError } from "@parley/protocol";
import { CORE_MIGRATIONS, MIGRATIONS_TABLE, databaseSchema, type Migration } from "../store/schema.js";
import { NOTIFY_MIGRATIONS } from "../notify/notify-schema.js";
import { SQLITE_DIALECT, SQLITE_MIGRATIONS } from "./dialect.js";

/** The better-sqlite3 handle type used across the embedded mode. */
export type SqliteDb = Database.Database;

/** How durable a commit is before it is acknowledged. */
export type Durability = "full" | "normal";

/** Options of openSqliteDb. */
export interface SqliteDbOptions {
  /** Directory of the database; created if missing. */
  readonly dataDir: string;
  /** `full`: synchronous=FULL (survives power loss); `normal`: synchronous=NORMAL (survives process crash). */
  readonly durability: Durability | string;
  /** How long a statement waits for a lock held by another connection. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** File name inside dataDir. Default `parley.db`. */
  readonly fileName?: string;
  /** Told of each existing path whose group or other access was taken away. */
  readonly onTightened?: (change: ModeChange) => void;
}

/** A permission change made by openSqliteDb (modes as numbers, e.g. 0o755 → 0o700). */
export interface ModeChange {
  readonly path: string;
  readonly from: number;
  readonly to: number;
}

/** Owner-only: the data dir and the database hold every message and membership. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/**
 * Every migration of the embedded database: core, SQLite-only and notify/ tables (sqlite/ holds the
 * notify store too). The opener knows the whole list rather than taking it from the composition root
 * because migrate() refuses a database holding a version it does not know (a newer Parley's schema):
 * every opener of the file (the server, the bench data writer, tests) must pass the same complete list,
 * and one constant is how they agree.
 */
export const SQLITE_SCHEMA: readonly Migration[] = databaseSchema(
  CORE_MIGRATIONS,
  SQLITE_MIGRATIONS,
  NOTIFY_MIGRATIONS,
);

/**
 * Opens (creating if needed) `<dataDir>/parley.db` in WAL mode and brings its schema up to date. The data
 * dir is made 0700 and the database files 0600; existing ones with group or other access are tightened.
 */
export function openSqliteDb(options: SqliteDbOptions): SqliteDb {
  const synchronous = synchronousFor(options.durability);
  const file = join(options.dataDir, options.fileName ?? "parley.db");
  secureFiles(options.dataDir, file, options.onTightened);
  const db = new Database(file);
  try {
    configure(db, synchronous, options.busyTimeoutMs);
    migrate(db, SQLITE_SCHEMA);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function secureFiles(dir: string, file: string, report?: (change: ModeChange) => void): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir, report);
  // SQLite creates the -wal and -shm files with the database file's mode, so a 0600 database covers them.
  closeSync(openSync(file, "a", FILE_MODE));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) tighten(path, report);
}

/** Takes group and other access away from `path` (never adds any); a missing path is left alone. */
function tighten(path: string, report?: (change: ModeChange) => void): void {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if ((mode & 0o077) === 0) return;
  chmodSync(path, mode & 0o700);
  report?.({ path, from: mode, to: mode & 0o700 });
}

/**
 * Another connection to a database openSqliteDb has already opened and migrated (the embedded log's
 * writer thread uses one). `synchronous` is the opener's level, as `PRAGMA synchronous` reports it.
 */
export function openSqliteConnection(file: string, synchronous: number, busyTimeoutMs?: number): SqliteDb {
  const db = new Database(file, { fileMustExist: true });
  try {
    configure(db, synchronous, busyTimeoutMs);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function configure(db: SqliteDb, synchronous: string | number, busyTimeoutMs = 5000): void {
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma("foreign_keys = ON");
}

function synchronousFor(durability: string): "FULL" | "NORMAL" {
  if (durability === "full") return "FULL";
  if (durability === "normal") return "NORMAL";
  throw new Error(`durability must be "full" or "normal", got ${JSON.stringify(durability)}`);
}

/** The highest migration version applied to `db` (0 for a new database). */
export function schemaVersion(db: SqliteDb): number {
  db.exec(MIGRATIONS_TABLE);
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Applies every migration not yet recorded, in version order, each in its own
 * transaction. Applied versions are a set (as on PostgreSQL), so a migration
 * with a lower version that arrives after a higher one (another area's range) still runs.
 */
export function migrate(db: SqliteDb, migrations: readonly Migration[]): void {
  schemaVersion(db); // creates the table
  const rows = db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[];
  const applied = new Set(rows.map((r) => r.version));
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  // A database written by a newer Parley may have a schema this code misreads.
  if (unknown.length > 0) throw new Error(`database schema has migrations ${unknown} newer than this server knows`);
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      for (const sql of m.up(SQLITE_DIALECT)) db.exec(sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
  }
}

/**
 * Runs a synchronous database call of `what` (a store of this database) so
 * that storage failures surface as ParleyError("UNAVAILABLE") with the
 * driver's error as cause; ParleyErrors pass through.
 */
export function guardSqlite<T>(what: string, fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    if (err instanceof ParleyError) return Promise.reject(err);
    return Promise.reject(new ParleyError("UNAVAILABLE", `${what}: SQLite failed`, { cause: err }));
  }
}
