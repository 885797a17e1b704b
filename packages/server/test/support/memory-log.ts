import { randomUUID } from "node:crypto";
import { ParleyError, type RoomEvent } from "@parley/protocol";
import { applyDeleteInPlace } from "#server/chat/tombstones.js";
import { EventListeners } from "#server/log/event-listeners.js";
import {
  duplicateOutcome,
  type AppendResult,
  type EventListener,
  type EventLog,
  type PublishCommand,
  type RoomHead,
} from "#server/log/event-log.js";

interface RoomState {
  epoch: string;
  /** Stored events, deletes applied: index seq - 1. */
  events: RoomEvent[];
  /** The seq each cmid was sequenced at. */
  seqByCmid: Map<string, number>;
}

/**
 * An in-memory EventLog test double. It passes the EventLog contract
 * (test/log/memory-log.test.ts runs `describeEventLogContract` with
 * `{ durable: false }`): ordering, idempotence and CMID_CONFLICT, "listener
 * before append resolves", reads, tombstones, epochs, SHUTTING_DOWN after
 * close. Appends resolve on a later macrotask so callers see real asynchrony.
 *
 * Not durable, so these clauses are not run on it: "still dedupes after a
 * restart", "still refuses the collision after a restart", "keeps every
 * resolved append across close and reopen", "head: keeps every room's epoch
 * across a restart", "an append resolved while close was pending survives the
 * restart", "… still read back as the tombstone after a restart".
 * Unlike the real logs it accepts appends before `start`.
 */
export class MemoryLog implements EventLog {
  private readonly rooms = new Map<string, RoomState>();
  private readonly listeners = new EventListeners();
  private closed = false;

  async start(): Promise<void> {}

  async append(command: PublishCommand): Promise<AppendResult> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.closed) throw new ParleyError("SHUTTING_DOWN", "log is closed");
    const room = this.room(command.room);
    // The stored event, as the real logs read it back: a tombstone once deleted.
    const existing = room.events[(room.seqByCmid.get(command.cmid) ?? 0) - 1];
    if (existing) {
      const outcome = duplicateOutcome(command, existing);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    }
    const event: RoomEvent = {
      room: command.room,
      seq: room.events.length + 1,
      id: randomUUID(),
      from: command.from,
      ts: Date.now(),
      kind: command.kind,
      body: command.body,
      cmid: command.cmid,
    };
    room.events.push(event);
    room.seqByCmid.set(event.cmid, event.seq);
    // Stored events are replaced, never mutated: listeners get the original.
    applyDeleteInPlace(room.events, event);
    this.listeners.emit([event]);
    return { event, duplicate: false };
  }

  subscribe(listener: EventListener): () => void {
    return this.listeners.add(listener);
  }

  async read(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]> {
    return this.room(room).events.slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + limit);
  }

  async readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]> {
    const end = Math.min(this.room(room).events.length, Math.max(0, beforeSeq - 1));
    return this.room(room).events.slice(Math.max(0, end - limit), end);
  }

  async head(room: string): Promise<RoomHead> {
    const state = this.room(room);
    return { epoch: state.epoch, lastSeq: state.events.length };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Test hook: forgets a room's history and gives it a new epoch, as a wiped store would. */
  wipe(room: string): void {
    this.rooms.delete(room);
  }

  private room(id: string): RoomState {
    let state = this.rooms.get(id);
    if (!state) this.rooms.set(id, (state = { epoch: randomUUID().slice(0, 8), events: [], seqByCmid: new Map() }));
    return state;
  }
}
