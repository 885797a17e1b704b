/**
 * SQLite-only parts of the schema. Core tables are in schema.ts; this file
 * holds what PostgreSQL does differently (clustered tables, and later FTS5).
 */
import type { Migration, SchemaDialect } from "./schema.js";

/** SQLite's fragments for the core schema: composite-key tables are clustered (WITHOUT ROWID). */
export const SQLITE_DIALECT: SchemaDialect = { clusteredSuffix: " WITHOUT ROWID" };

/** SQLite-only migrations. Versions share one sequence with CORE_MIGRATIONS: take the next free number. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 3,
    name: "chat projections: backfill event targets and current message text",
    up: () => [
      `UPDATE events SET target = json_extract(body, '$.target')
        WHERE kind IN ('edit', 'delete', 'reaction') AND json_valid(body) AND json_type(body, '$.target') = 'integer'`,
      `UPDATE events SET target = json_extract(body, '$.replyTo')
        WHERE kind = 'message' AND json_valid(body) AND json_type(body, '$.replyTo') = 'integer'`,
      `INSERT INTO chat_messages (room, seq, from_user, ts, text, text_seq)
        SELECT room, seq, from_user, ts, json_extract(body, '$.text'), seq FROM events
        WHERE kind = 'message' AND json_valid(body) AND json_type(body, '$.text') = 'text'`,
    ],
  },
];
