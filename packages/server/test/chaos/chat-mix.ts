/**
 * What the chaos publishers send: a random mix of chat events. Edits,
 * reactions and deletes target messages already acked (so they usually pass
 * the gateway's checks); a delete marks its target so it is rarely edited
 * again, though publishes in flight still race with it, which is the point:
 * the log order settles those races and the checker verifies the result.
 */
import type { PublishRecord } from "./history.js";

/** One event to publish. */
export interface ChatPublish {
  readonly kind: string;
  readonly body: Record<string, unknown>;
}

/** Cumulative odds of each kind; the rest are messages. */
const ODDS = { edit: 0.1, reaction: 0.18, delete: 0.22, receipt: 0.28 } as const;
const EMOJI = ["👍", "🎉", "❤️", "👀"];

/** Tracks acked messages per room and draws the next event. */
export class ChatMix {
  private readonly live = new Map<string, number[]>();
  private readonly heads = new Map<string, number>();
  private count = 0;

  /** Feeds acks in (ChaosClientOptions.onAcked). */
  readonly onAcked = (record: PublishRecord, seq: number): void => {
    this.heads.set(record.room, Math.max(this.heads.get(record.room) ?? 0, seq));
    if ((record.kind ?? "message") !== "message") return;
    const list = this.live.get(record.room) ?? [];
    list.push(seq);
    this.live.set(record.room, list);
  };

  /** The next event for `room`: a message unless the draw and the room's acked messages allow another kind. */
  next(room: string): ChatPublish {
    const list = this.live.get(room) ?? [];
    const r = Math.random();
    const pick = (): number => list[Math.floor(Math.random() * list.length)]!;
    if (list.length > 0 && r < ODDS.edit)
      return { kind: "edit", body: { target: pick(), text: `edit ${++this.count}` } };
    if (list.length > 0 && r < ODDS.reaction) {
      const emoji = EMOJI[this.count++ % EMOJI.length]!;
      return { kind: "reaction", body: { target: pick(), emoji, op: r < 0.16 ? "add" : "remove" } };
    }
    if (list.length > 0 && r < ODDS.delete) {
      const target = list.splice(Math.floor(Math.random() * list.length), 1)[0]!;
      return { kind: "delete", body: { target } };
    }
    const head = this.heads.get(room) ?? 0;
    if (head > 0 && r < ODDS.receipt) return { kind: "receipt", body: { upTo: head } };
    // Bodies up to ~3 KB so frames span TCP chunks and mid-frame cuts tear them.
    const pad = "x".repeat(Math.floor(Math.random() ** 3 * 3000));
    const reply = list.length > 0 && Math.random() < 0.1 ? { replyTo: list[list.length - 1] } : {};
    return { kind: "message", body: { text: `message ${++this.count} @member`, at: Date.now(), pad, ...reply } };
  }
}
