/**
 * The chat projection, described once: what a batch of newly stored events
 * changes in the derived tables (docs/chat.md, "What the server stores").
 * Both writers apply it in the transaction that stores the events: the
 * embedded log's writer thread (store/sqlite-projection.ts) and the sink
 * (store/postgres-projection.ts); only the SQL differs per dialect.
 *
 * Apply the parts in this order, within one transaction, to the events just
 * inserted (never to a replayed one: the sink projects only rows its INSERT
 * actually added, which is what makes a replay after a crash harmless):
 *  1. `messages`: a current-text row per chat message (search, unread counts).
 *  2. `mentions`: one row per mentioned user other than the author.
 *  3. `edits`: replace a message's current text, if the edit is by its author,
 *     newer than the text it has, and the message is not deleted.
 *  4. `deletes`: rewrite the target (a `message`) and every `edit` of it to
 *     TOMBSTONE_BODY; drop its current-text row and its mentions.
 *  5. `edits` again: an edit sequenced after its target's delete (a race the
 *     log order settles) becomes a tombstone too.
 *  6. `receipts`: raise the sender's read position to `upTo`, never lower it.
 *  7. `dmUsers`: both users of a DM get a read position (0 if none yet), so
 *     the DM is among "their rooms" for unread counts and search.
 *  8. `mentionReaders`: a user mentioned in a room (not a DM, not a private
 *     room) who is no member and has no read position gets one just before
 *     their first mention, so `unread` lists the room with the mention (and
 *     counts from it, not from the room's start). After step 7, so a DM's
 *     users keep 0.
 * Each part is also idempotent by itself (applying it twice in a row changes nothing).
 */
import { dmUsers, mentionsOf, targetOf, textOf, type RoomEvent } from "@parley/protocol";

/** A chat message's current-text row: [room, seq, from, ts, text]. */
export type MessageRow = readonly [string, number, string, number, string];
/** An edit: [room, target, editSeq, editor, text]. */
export type EditRow = readonly [string, number, number, string, string];
/** A delete: [room, target]. */
export type DeleteRow = readonly [string, number];
/** A receipt: [room, user, upTo]. */
export type ReceiptRow = readonly [string, string, number];
/** A mention: [user, room, seq]. */
export type MentionRow = readonly [string, string, number];
/** A user of a DM room: [room, user]. */
export type DmUserRow = readonly [string, string];

/** A mentioned user's first read position: [room, user, upTo = first mention's seq − 1]. */
export type MentionReaderRow = readonly [string, string, number];

/** What one batch of new events changes in the projection tables; plain arrays, cheap to post to a thread. */
export interface Projection {
  readonly messages: MessageRow[];
  readonly mentions: MentionRow[];
  readonly edits: EditRow[];
  readonly deletes: DeleteRow[];
  readonly receipts: ReceiptRow[];
  readonly dmUsers: DmUserRow[];
  readonly mentionReaders: MentionReaderRow[];
}

/** The projection of `events` (new, in log order). */
export function projectEvents(events: readonly RoomEvent[]): Projection {
  const p: Projection = {
    messages: [],
    mentions: [],
    edits: [],
    deletes: [],
    receipts: [],
    dmUsers: [],
    mentionReaders: [],
  };
  for (const e of events) projectOne(p, e);
  for (const room of new Set(events.map((e) => e.room))) {
    for (const user of dmUsers(room) ?? []) p.dmUsers.push([room, user]);
  }
  p.mentionReaders.push(...firstMentions(p.mentions));
  return p;
}

/** Per (room, user) outside DMs, the position just before the first mention (mentions are in log order). */
function firstMentions(mentions: readonly MentionRow[]): MentionReaderRow[] {
  const first = new Map<string, MentionReaderRow>();
  for (const [user, room, seq] of mentions) {
    const key = JSON.stringify([room, user]);
    if (!dmUsers(room) && !first.has(key)) first.set(key, [room, user, seq - 1]);
  }
  return [...first.values()];
}

/** True when a projection changes nothing. */
export function isEmptyProjection(p: Projection): boolean {
  return Object.values(p).every((rows: unknown[]) => rows.length === 0);
}

/** The `events.target` column: the seq an edit, delete, reaction or reply refers to, else null. */
export function targetColumn(e: Pick<RoomEvent, "kind" | "body">): number | null {
  const target = targetOf(e);
  return isSeq(target) ? target : null;
}

/**
 * Text as the projection tables hold it: NUL becomes U+FFFD, because PostgreSQL's TEXT cannot hold it
 * (one such message would otherwise fail every sink batch that carries it, forever).
 */
export function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

function projectOne(p: Projection, e: RoomEvent): void {
  // Apps' own producers (cluster mode) may write any body; only well-formed chat bodies project.
  const body = (typeof e.body === "object" && e.body !== null ? e.body : {}) as Record<string, unknown>;
  switch (e.kind) {
    case "message": {
      const text = textOf(e);
      if (text === undefined) return;
      p.messages.push([e.room, e.seq, e.from, e.ts, storableText(text)]);
      for (const user of mentionsOf(e)) if (user !== e.from) p.mentions.push([user, e.room, e.seq]);
      return;
    }
    case "edit":
      if (isSeq(body.target) && typeof body.text === "string")
        p.edits.push([e.room, body.target, e.seq, e.from, storableText(body.text)]);
      return;
    case "delete":
      if (isSeq(body.target)) p.deletes.push([e.room, body.target]);
      return;
    case "receipt":
      if (isSeq(body.upTo)) p.receipts.push([e.room, e.from, body.upTo]);
      return;
  }
}

function isSeq(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 1;
}

/** Per (room, target, editor), only the newest edit: a batched UPDATE may then touch each message once. */
export function latestEdits(edits: readonly EditRow[]): EditRow[] {
  const newest = new Map<string, EditRow>();
  for (const e of edits) {
    const key = JSON.stringify([e[0], e[1], e[3]]);
    const held = newest.get(key);
    if (!held || held[2] < e[2]) newest.set(key, e);
  }
  return [...newest.values()];
}

/** Per (room, user), only the highest receipt: a batched upsert may then touch each read position once. */
export function highestReceipts(receipts: readonly ReceiptRow[]): ReceiptRow[] {
  const highest = new Map<string, ReceiptRow>();
  for (const r of receipts) {
    const key = JSON.stringify([r[0], r[1]]);
    const held = highest.get(key);
    if (!held || held[2] < r[2]) highest.set(key, r);
  }
  return [...highest.values()];
}
