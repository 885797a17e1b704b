/**
 * The PostgreSQL connection pool shared by PostgresStore, PostgresHistory and
 * the sink, and the schema migration runner.
 */
import pg from "pg";
import { CORE_MIGRATIONS, MIGRATIONS_TABLE, databaseSchema, type Migration } from "../store/schema.js";
import { NOTIFY_MIGRATIONS } from "../notify/notify-schema.js";
import { MIGRATION_LOCK_KEY, POSTGRES_DIALECT, POSTGRES_MIGRATIONS } from "./dialect.js";
import { inTransaction } from "./query.js";

/** Options of openPostgresDb. */
export interface PostgresDbOptions {
  /** `postgres://user@host:port/db`. */
  readonly url: string;
  /** Schema for every table (created if missing); default `public`. Tests use one schema each. */
  readonly schema?: string;
  /** Most pooled connections. Default 10. */
  readonly maxConnections?: number;
  /** How long a query may wait for a connection. Default 10 000 ms. */
  readonly connectTimeoutMs?: number;
}

const INT8_OID = 20;
/**
 * pg returns BIGINT as strings (values may pass 2^53). Our BIGINTs are seqs and
 * millisecond timestamps, far below that, so numbers are safe and match SQLite.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? "text")) as never,
};

/**
 * Every migration of the cluster's database: core, PostgreSQL-only and notify/ tables. Known here, not
 * passed in, for the reason SQLITE_SCHEMA is: every node opening the database must bring the same
 * complete list, since migratePostgres refuses a database holding a version it does not know.
 */
export const POSTGRES_SCHEMA: readonly Migration[] = databaseSchema(
  CORE_MIGRATIONS,
  POSTGRES_MIGRATIONS,
  NOTIFY_MIGRATIONS,
);

/** A migrated pool. */
export interface PostgresDb {
  readonly pool: pg.Pool;
  readonly schema: string;
  close(): Promise<void>;
}

/** A SQL identifier, double-quoted; rejects anything but plain names so nothing can be injected. */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid PostgreSQL identifier ${name}`);
  return `"${name}"`;
}

/** Connects, creates the schema if needed, and brings it up to date. */
export async function openPostgresDb(options: PostgresDbOptions): Promise<PostgresDb> {
  const schema = options.schema ?? "public";
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: TYPES,
    options: `-c search_path=${quoteIdent(schema)}`,
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  try {
    await migratePostgres(pool, schema, POSTGRES_SCHEMA);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return { pool, schema, close: () => pool.end() };
}

/**
 * Applies every migration not yet recorded, in version order, in one
 * transaction under an advisory lock: several nodes starting at once migrate
 * exactly once, and a failed migration leaves nothing half-done.
 */
export async function migratePostgres(pool: pg.Pool, schema: string, migrations: readonly Migration[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(MIGRATIONS_TABLE);
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const applied = new Set(rows.map((r) => r.version));
    const known = new Set(migrations.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    // A database written by a newer Parley may have a schema this code misreads.
    if (unknown.length > 0) throw new Error(`database has schema migrations this server does not know: ${unknown}`);
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      for (const sql of m.up(POSTGRES_DIALECT)) await client.query(sql);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
        m.version,
        m.name,
        Date.now(),
      ]);
    }
  });
}
