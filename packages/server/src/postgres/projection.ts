/**
 * The chat projection (chat/projection.ts) in PostgreSQL's SQL: each step is
 * one batched statement over unnest(...) arrays, run by the sink inside the
 * transaction that inserted the events (store/postgres-events.ts), on the
 * rows that INSERT actually added. The order of the steps is the projection's.
 */
import { TOMBSTONE_TEXT } from "../store/chat-sql.js";
import type pg from "pg";
import { highestReceipts, latestEdits, type Projection } from "../chat/projection.js";

const SQL = {
  insertMessages: `INSERT INTO chat_messages (room, seq, from_user, ts, text, text_seq)
    SELECT r, s, f, t, x, s FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS u(r, s, f, t, x)
    ON CONFLICT DO NOTHING`,
  insertMentions: `INSERT INTO mentions (user_id, room, seq)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING`,
  applyEdits: `UPDATE chat_messages c SET text = u.x, text_seq = u.s
    FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[]) AS u(r, t, s, f, x)
    WHERE c.room = u.r AND c.seq = u.t AND c.from_user = u.f AND c.text_seq < u.s`,
  tombstoneTargets: `UPDATE events e SET body = $1 FROM unnest($2::text[], $3::bigint[]) AS u(r, t)
    WHERE e.room = u.r AND e.seq = u.t AND e.kind = 'message'`,
  tombstoneEdits: `UPDATE events e SET body = $1 FROM unnest($2::text[], $3::bigint[]) AS u(r, t)
    WHERE e.room = u.r AND e.target = u.t AND e.kind = 'edit'`,
  dropMessages: `DELETE FROM chat_messages c USING unnest($1::text[], $2::bigint[]) AS u(r, t)
    WHERE c.room = u.r AND c.seq = u.t`,
  dropMentions: `DELETE FROM mentions m USING unnest($1::text[], $2::bigint[]) AS u(r, t)
    WHERE m.room = u.r AND m.seq = u.t`,
  // Bound from EditRow's first three columns: room, target, the edit's own seq.
  tombstoneLateEdits: `UPDATE events e SET body = $1 FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u(r, t, s)
    WHERE e.room = u.r AND e.seq = u.s
      AND EXISTS (SELECT 1 FROM events d WHERE d.room = u.r AND d.target = u.t AND d.kind = 'delete')`,
  raiseReadPositions: `INSERT INTO read_positions (room, user_id, up_to)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
    ON CONFLICT (room, user_id) DO UPDATE SET up_to = GREATEST(read_positions.up_to, excluded.up_to)`,
  addDmUsers: `INSERT INTO read_positions (room, user_id, up_to)
    SELECT r, u, 0 FROM unnest($1::text[], $2::text[]) AS x(r, u) ON CONFLICT DO NOTHING`,
  addMentionReaders: `INSERT INTO read_positions (room, user_id, up_to)
    SELECT r, u, s FROM unnest($1::text[], $2::text[], $3::bigint[]) AS x(r, u, s)
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.room = x.r AND m.user_id = x.u)
      AND NOT EXISTS (SELECT 1 FROM rooms o WHERE o.id = x.r AND o.type = 'private')
    ON CONFLICT DO NOTHING`,
} as const;

/** Row tuples as one array per column, for unnest. */
function cols(rows: readonly (readonly unknown[])[], width: number): unknown[][] {
  return Array.from({ length: width }, (_, i) => rows.map((r) => r[i]));
}

/** Applies `p` on `client`, which holds the open transaction that inserted the events. */
export async function applyPostgresProjection(client: pg.PoolClient, p: Projection): Promise<void> {
  const run = async (sql: string, rows: readonly (readonly unknown[])[], width: number, head: unknown[] = []) => {
    if (rows.length > 0) await client.query(sql, [...head, ...cols(rows, width)]);
  };
  await run(SQL.insertMessages, p.messages, 5);
  await run(SQL.insertMentions, p.mentions, 3);
  await run(SQL.applyEdits, latestEdits(p.edits), 5);
  await run(SQL.tombstoneTargets, p.deletes, 2, [TOMBSTONE_TEXT]);
  await run(SQL.tombstoneEdits, p.deletes, 2, [TOMBSTONE_TEXT]);
  await run(SQL.dropMessages, p.deletes, 2);
  await run(SQL.dropMentions, p.deletes, 2);
  await run(SQL.tombstoneLateEdits, p.edits, 3, [TOMBSTONE_TEXT]);
  await run(SQL.raiseReadPositions, highestReceipts(p.receipts), 3);
  await run(SQL.addDmUsers, p.dmUsers, 2);
  await run(SQL.addMentionReaders, p.mentionReaders, 3);
}

/** Statements that forget a room's projections (its stream was recreated with a new epoch). */
export const DROP_ROOM_PROJECTIONS = [
  "DELETE FROM chat_messages WHERE room = $1",
  "DELETE FROM mentions WHERE room = $1",
  "DELETE FROM read_positions WHERE room = $1",
] as const;
