/**
 * The core schema, written once for SQLite and PostgreSQL: only portable
 * types (TEXT, BIGINT) and constraints. What differs per dialect is passed in
 * as a `SchemaDialect` (see sqlite-dialect.ts), and dialect-only features
 * (FTS5 search, tsvector) live in their own migrations.
 */

/** The dialect-specific fragments the core schema needs. */
export interface SchemaDialect {
  /** Appended to tables keyed by a composite primary key (SQLite: " WITHOUT ROWID"). */
  readonly clusteredSuffix: string;
}

/** One schema migration: statements run in order in a single transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (dialect: SchemaDialect) => readonly string[];
}

/**
 * One database's migrations from its areas' lists (core, dialect, notify), as
 * one version sequence. Throws on a version taken twice: the runners track
 * applied versions as a set, so two areas sharing a number would be a schema
 * that depends on which one a database saw first.
 */
export function databaseSchema(...areas: readonly (readonly Migration[])[]): readonly Migration[] {
  const all = areas.flat();
  const seen = new Map<number, string>();
  for (const m of all) {
    const other = seen.get(m.version);
    if (other !== undefined) throw new Error(`schema migration ${m.version} is taken twice: "${other}", "${m.name}"`);
    seen.set(m.version, m.name);
  }
  return [...all].sort((a, b) => a.version - b.version);
}

/** The table recording which migrations ran. */
export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** Core migrations, in version order. Never edit a shipped one; add a new one. */
export const CORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "rooms, members, events, room heads",
    up: (d) => [
      `CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        name TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`,
      `CREATE INDEX rooms_type_created ON rooms (type, created_at)`,
      `CREATE TABLE members (
        room TEXT NOT NULL,
        user_id TEXT NOT NULL,
        joined_at BIGINT NOT NULL,
        last_read_seq BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (room, user_id)
      )${d.clusteredSuffix}`,
      `CREATE INDEX members_user ON members (user_id)`,
      `CREATE TABLE room_heads (
        room TEXT PRIMARY KEY,
        epoch TEXT NOT NULL,
        last_seq BIGINT NOT NULL
      )`,
      `CREATE TABLE events (
        room TEXT NOT NULL,
        seq BIGINT NOT NULL,
        id TEXT NOT NULL,
        from_user TEXT NOT NULL,
        ts BIGINT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        cmid TEXT NOT NULL,
        PRIMARY KEY (room, seq),
        UNIQUE (room, cmid)
      )${d.clusteredSuffix}`,
    ],
  },
  {
    version: 2,
    name: "chat projections: event targets, read positions, mentions, current message text",
    up: (d) => [
      // The seq an edit, delete, reaction or reply refers to: edits-of and replies-of a message are one index range.
      `ALTER TABLE events ADD COLUMN target BIGINT`,
      `CREATE INDEX events_target ON events (room, target) WHERE target IS NOT NULL`,
      // The one source of read positions (receipts and Store.setLastRead); members.last_read_seq is no longer read.
      `CREATE TABLE read_positions (
        room TEXT NOT NULL,
        user_id TEXT NOT NULL,
        up_to BIGINT NOT NULL,
        PRIMARY KEY (room, user_id)
      )${d.clusteredSuffix}`,
      `CREATE INDEX read_positions_user ON read_positions (user_id)`,
      `INSERT INTO read_positions (room, user_id, up_to) SELECT room, user_id, last_read_seq FROM members WHERE last_read_seq > 0`,
      `CREATE TABLE mentions (
        user_id TEXT NOT NULL,
        room TEXT NOT NULL,
        seq BIGINT NOT NULL,
        PRIMARY KEY (user_id, room, seq)
      )${d.clusteredSuffix}`,
      `CREATE INDEX mentions_room_seq ON mentions (room, seq)`,
      // Current text of every non-deleted chat message; text_seq is the seq whose text it holds (the message or
      // its latest edit). A rowid table on SQLite, so FTS5 can index it as external content.
      `CREATE TABLE chat_messages (
        room TEXT NOT NULL,
        seq BIGINT NOT NULL,
        from_user TEXT NOT NULL,
        ts BIGINT NOT NULL,
        text TEXT NOT NULL,
        text_seq BIGINT NOT NULL,
        PRIMARY KEY (room, seq)
      )`,
    ],
  },
];
