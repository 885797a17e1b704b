/**
 * SQLite-only parts of the schema. Core tables are in schema.ts; this file
 * holds what PostgreSQL does differently (clustered tables, FTS5 search).
 */
import type { Migration, SchemaDialect } from "../store/schema.js";

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
        SELECT room, seq, from_user, ts, replace(json_extract(body, '$.text'), char(0), char(65533)), seq FROM events
        WHERE kind = 'message' AND json_valid(body) AND json_type(body, '$.text') = 'text'`,
    ],
  },
  {
    version: 4,
    name: "chat search: FTS5 over the current text of chat messages",
    up: () => [
      // External content: the text lives once, in chat_messages; the triggers keep the index in step with it.
      `CREATE VIRTUAL TABLE chat_search USING fts5(text, content = 'chat_messages', content_rowid = 'rowid',
        tokenize = 'unicode61 remove_diacritics 2')`,
      `CREATE TRIGGER chat_messages_ai AFTER INSERT ON chat_messages BEGIN
        INSERT INTO chat_search (rowid, text) VALUES (new.rowid, new.text); END`,
      `CREATE TRIGGER chat_messages_ad AFTER DELETE ON chat_messages BEGIN
        INSERT INTO chat_search (chat_search, rowid, text) VALUES ('delete', old.rowid, old.text); END`,
      `CREATE TRIGGER chat_messages_au AFTER UPDATE OF text ON chat_messages BEGIN
        INSERT INTO chat_search (chat_search, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO chat_search (rowid, text) VALUES (new.rowid, new.text); END`,
      `INSERT INTO chat_search (chat_search) VALUES ('rebuild')`,
    ],
  },
];
