/**
 * SQLite-only parts of the schema. Core tables are in schema.ts; this file
 * holds what PostgreSQL does differently (clustered tables, and later FTS5).
 */
import type { Migration, SchemaDialect } from "./schema.js";

/** SQLite's fragments for the core schema: composite-key tables are clustered (WITHOUT ROWID). */
export const SQLITE_DIALECT: SchemaDialect = { clusteredSuffix: " WITHOUT ROWID" };

/** SQLite-only migrations. Versions share one sequence with CORE_MIGRATIONS: take the next free number. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [];
