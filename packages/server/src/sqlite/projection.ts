/**
 * The chat projection (chat/projection.ts) in SQLite's SQL, applied row by
 * row with prepared statements inside the embedded log's commit transaction
 * (log/commit-worker.ts). The order of the steps is the projection's.
 */
import { TOMBSTONE_TEXT } from "../store/chat-sql.js";
import type { Projection } from "../chat/projection.js";
import type { Statement } from "better-sqlite3";
import type { SqliteDb } from "./db.js";

const SQL = {
  insertMessage:
    "INSERT INTO chat_messages (room, seq, from_user, ts, text, text_seq) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
  insertMention: "INSERT INTO mentions (user_id, room, seq) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  applyEdit:
    "UPDATE chat_messages SET text = ?, text_seq = ? WHERE room = ? AND seq = ? AND from_user = ? AND text_seq < ?",
  tombstoneTarget: "UPDATE events SET body = ? WHERE room = ? AND seq = ? AND kind = 'message'",
  tombstoneEdits: "UPDATE events SET body = ? WHERE room = ? AND target = ? AND kind = 'edit'",
  dropMessage: "DELETE FROM chat_messages WHERE room = ? AND seq = ?",
  dropMentions: "DELETE FROM mentions WHERE room = ? AND seq = ?",
  tombstoneLateEdit: `UPDATE events SET body = ? WHERE room = ? AND seq = ?
    AND EXISTS (SELECT 1 FROM events d WHERE d.room = ? AND d.target = ? AND d.kind = 'delete')`,
  raiseReadPosition: `INSERT INTO read_positions (room, user_id, up_to) VALUES (?, ?, ?)
    ON CONFLICT (room, user_id) DO UPDATE SET up_to = max(up_to, excluded.up_to)`,
  addDmUser: "INSERT INTO read_positions (room, user_id, up_to) VALUES (?, ?, 0) ON CONFLICT DO NOTHING",
  // Binds: room, user, upTo, room, user, room.
  addMentionReader: `INSERT INTO read_positions (room, user_id, up_to) SELECT ?, ?, ?
    WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.room = ? AND m.user_id = ?)
      AND NOT EXISTS (SELECT 1 FROM rooms r WHERE r.id = ? AND r.type = 'private')
    ON CONFLICT DO NOTHING`,
} as const;

/**
 * DM rooms a connection remembers as having both read positions. Past it the set starts over: forgetting
 * only costs the two no-op upserts again, once per room.
 */
export const DM_ROOMS_REMEMBERED = 100_000;

/**
 * Applies projections on one connection; call `apply` inside the transaction that inserted the events,
 * and `committed` once that transaction has committed.
 */
export class SqliteProjection {
  private readonly stmts: { [K in keyof typeof SQL]: Statement<unknown[]> };
  /**
   * DM rooms whose two read positions a transaction of this connection committed. Step 7 is a no-op for
   * them from then on: read positions are only ever inserted or raised on SQLite, never deleted, so the
   * rows stay. Skipping it saves two upserts per DM message on the writer thread (docs/performance.md,
   * "Changes, one at a time", 5); only a DM's first message (per process) still runs them.
   */
  private readonly dmRoomsWritten = new Set<string>();

  constructor(db: SqliteDb) {
    this.stmts = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as never;
  }

  apply(p: Projection): void {
    const s = this.stmts;
    for (const [room, seq, from, ts, text] of p.messages) s.insertMessage.run(room, seq, from, ts, text, seq);
    for (const m of p.mentions) s.insertMention.run(...m);
    for (const [room, target, seq, editor, text] of p.edits) s.applyEdit.run(text, seq, room, target, editor, seq);
    for (const [room, target] of p.deletes) {
      s.tombstoneTarget.run(TOMBSTONE_TEXT, room, target);
      s.tombstoneEdits.run(TOMBSTONE_TEXT, room, target);
      s.dropMessage.run(room, target);
      s.dropMentions.run(room, target);
    }
    for (const [room, target, seq] of p.edits) s.tombstoneLateEdit.run(TOMBSTONE_TEXT, room, seq, room, target);
    for (const r of p.receipts) s.raiseReadPosition.run(...r);
    for (const u of p.dmUsers) if (!this.dmRoomsWritten.has(u[0])) s.addDmUser.run(...u);
    for (const [room, user, upTo] of p.mentionReaders) s.addMentionReader.run(room, user, upTo, room, user, room);
  }

  /** Remembers the DM rooms of `p` once the transaction that applied it committed (never after a rollback). */
  committed(p: Projection): void {
    if (this.dmRoomsWritten.size + p.dmUsers.length > DM_ROOMS_REMEMBERED) this.dmRoomsWritten.clear();
    for (const [room] of p.dmUsers) this.dmRoomsWritten.add(room);
  }
}
