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
  {
    version: 5,
    name: "chat search indexed after the commit: new messages wait in chat_search_pending (sqlite/search-index.ts)",
    up: () => [
      // Rowids of chat_messages not yet in chat_search; the indexer moves them in batches, out of the commit.
      `CREATE TABLE chat_search_pending (id INTEGER PRIMARY KEY)`,
      `DROP TRIGGER chat_messages_ai`,
      `CREATE TRIGGER chat_messages_ai AFTER INSERT ON chat_messages BEGIN
        INSERT INTO chat_search_pending (id) VALUES (new.rowid); END`,
      // A row still pending was never indexed: FTS5 must not be told to delete what it does not hold.
      `DROP TRIGGER chat_messages_ad`,
      `CREATE TRIGGER chat_messages_ad AFTER DELETE ON chat_messages BEGIN
        INSERT INTO chat_search (chat_search, rowid, text) SELECT 'delete', old.rowid, old.text
          WHERE NOT EXISTS (SELECT 1 FROM chat_search_pending WHERE id = old.rowid);
        DELETE FROM chat_search_pending WHERE id = old.rowid; END`,
      // A pending row is indexed later with whatever text it has then.
      `DROP TRIGGER chat_messages_au`,
      `CREATE TRIGGER chat_messages_au AFTER UPDATE OF text ON chat_messages
        WHEN NOT EXISTS (SELECT 1 FROM chat_search_pending WHERE id = old.rowid) BEGIN
        INSERT INTO chat_search (chat_search, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO chat_search (rowid, text) VALUES (new.rowid, new.text); END`,
    ],
  },
];
