/**
 * PostgreSQL-only parts of the schema and SQL. Core tables are in schema.ts;
 * this file holds what SQLite does differently: no clustered-table suffix,
 * full-text search with a generated tsvector column and a GIN index, and the
 * placeholder style ($1, $2, …).
 */
import type { Migration, SchemaDialect } from "../store/schema.js";

/** An event's body as jsonb, or NULL for a body jsonb cannot hold (the escape \u0000). */
const SAFE_JSONB = "(CASE WHEN position('\\u0000' in body) = 0 THEN body::jsonb END)";

/** PostgreSQL's fragments for the core schema: tables are heaps, so no suffix. */
export const POSTGRES_DIALECT: SchemaDialect = { clusteredSuffix: "" };

/**
 * PostgreSQL-only migrations. Their versions sit far above the core ones so a
 * later core migration (2, 3, …) never collides; the PostgreSQL runner tracks
 * applied versions as a set, so order of arrival does not matter.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 10_001,
    name: "events full-text search (tsvector + GIN)",
    up: () => [
      // `simple` config: chat text is multilingual, so no language-specific stemming by default.
      `ALTER TABLE events ADD COLUMN body_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED`,
      `CREATE INDEX events_body_tsv ON events USING GIN (body_tsv)`,
    ],
  },
  {
    version: 10_002,
    name: "chat projections: backfill event targets and current message text",
    // jsonb refuses the escape \u0000 (a body may hold it): such rows are skipped, not a failed upgrade.
    // CASE, not AND: PostgreSQL may evaluate AND's operands in any order.
    up: () => [
      `UPDATE events SET target = (${SAFE_JSONB}->>'target')::bigint
        WHERE kind IN ('edit', 'delete', 'reaction') AND (${SAFE_JSONB}->>'target') ~ '^[1-9][0-9]{0,15}$'`,
      `UPDATE events SET target = (${SAFE_JSONB}->>'replyTo')::bigint
        WHERE kind = 'message' AND (${SAFE_JSONB}->>'replyTo') ~ '^[1-9][0-9]{0,15}$'`,
      `INSERT INTO chat_messages (room, seq, from_user, ts, text, text_seq)
        SELECT room, seq, from_user, ts, ${SAFE_JSONB}->>'text', seq FROM events
        WHERE kind = 'message' AND jsonb_typeof(${SAFE_JSONB}->'text') = 'string'`,
    ],
  },
  {
    version: 10_003,
    name: "chat search: tsvector + GIN over the current text of chat messages (replaces events.body_tsv)",
    up: () => [
      // 10_001 indexed the raw JSON of every event, deleted ones included; search now reads chat_messages.
      `DROP INDEX IF EXISTS events_body_tsv`,
      `ALTER TABLE events DROP COLUMN IF EXISTS body_tsv`,
      `ALTER TABLE chat_messages ADD COLUMN text_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED`,
      `CREATE INDEX chat_messages_text_tsv ON chat_messages USING GIN (text_tsv)`,
    ],
  },
  {
    version: 10_004,
    name: "sink positions: per events partition, the next offset the sink writes (kept with the rows it wrote)",
    up: () => [
      `CREATE TABLE sink_positions (
        topic TEXT NOT NULL,
        partition INTEGER NOT NULL,
        next_offset BIGINT NOT NULL,
        PRIMARY KEY (topic, partition)
      )`,
    ],
  },
];

/** `$1, $2, …, $n` starting after `offset`. */
export function placeholders(n: number, offset = 0): string {
  return Array.from({ length: n }, (_, i) => `$${i + offset + 1}`).join(", ");
}

/** The key every process takes before migrating, so concurrent starts never race (arbitrary, stable). */
export const MIGRATION_LOCK_KEY = 0x7061726c; // "parl"
