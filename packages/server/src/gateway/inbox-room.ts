/**
 * One room of a user's inbox, counted incrementally: the counts the store gave (`base*`, exact up
 * to `baseSeq`) plus the chat messages from others seen live since, each remembered by seq so that
 * a receipt or a delete can take exactly them back out without asking the store.
 */
import type { InboxRoom } from "@parley/protocol";

export class InboxRoomCounts {
  private baseUnread: number;
  private baseMentions: number;
  private baseSeq: number;
  /** Live-counted unread messages: seq → whether it mentions the user (made on first use: most rooms have none). */
  private counted: Map<number, boolean> | undefined;
  private countedMentions = 0;

  constructor(private entry: InboxRoom) {
    this.baseUnread = entry.unread;
    this.baseMentions = entry.mentions;
    this.baseSeq = entry.lastSeq;
  }

  get id(): string {
    return this.entry.id;
  }
  get lastSeq(): number {
    return this.entry.lastSeq;
  }
  get lastReadSeq(): number {
    return this.entry.lastReadSeq;
  }

  /** The entry as the client sees it now. */
  view(): InboxRoom {
    const unread = this.baseUnread + (this.counted?.size ?? 0);
    return { ...this.entry, unread, mentions: this.baseMentions + this.countedMentions };
  }

  /** The room's head moved to `seq` (any event). */
  advance(seq: number): void {
    if (seq > this.entry.lastSeq) this.entry = { ...this.entry, lastSeq: seq };
  }

  rename(name: string): void {
    this.entry = { ...this.entry, name };
  }

  /** A chat message from someone else; false when it was already read (a receipt ran ahead of it). */
  message(seq: number, mentioned: boolean): boolean {
    if (seq <= this.entry.lastReadSeq) return false;
    (this.counted ??= new Map()).set(seq, mentioned);
    if (mentioned) this.countedMentions++;
    return true;
  }

  /** Message `target` was deleted; true when it had been counted. */
  deleted(target: number): boolean {
    const mentioned = this.counted?.get(target);
    if (mentioned === undefined) return false;
    this.uncount(target, mentioned);
    return true;
  }

  /**
   * The user read up to `upTo`. True when the counts are exact without the store: nothing the store
   * counted is left unread (`upTo` reaches `baseSeq`); false means `replace` them with a recount.
   */
  read(upTo: number): boolean {
    this.entry = { ...this.entry, lastReadSeq: Math.max(upTo, this.entry.lastReadSeq) };
    this.uncountUpTo(upTo);
    if (upTo < this.baseSeq && this.baseUnread > 0) return false;
    this.baseUnread = 0;
    this.baseMentions = 0;
    return true;
  }

  /** Exact counts from the store, up to its `lastSeq`; what was counted live after that stays. */
  replace(fresh: InboxRoom): void {
    this.uncountUpTo(fresh.lastSeq);
    this.baseUnread = fresh.unread;
    this.baseMentions = fresh.mentions;
    this.baseSeq = fresh.lastSeq;
    const lastSeq = Math.max(fresh.lastSeq, this.entry.lastSeq);
    const lastReadSeq = Math.max(fresh.lastReadSeq, this.entry.lastReadSeq);
    this.entry = { ...fresh, lastSeq, lastReadSeq, name: fresh.name };
  }

  private uncountUpTo(seq: number): void {
    for (const [counted, mentioned] of this.counted ?? []) if (counted <= seq) this.uncount(counted, mentioned);
  }

  private uncount(seq: number, mentioned: boolean): void {
    this.counted?.delete(seq);
    if (mentioned) this.countedMentions--;
  }
}
