import { randomUUID } from "node:crypto";
import type { RoomEvent } from "@parley/protocol";
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
  events: RoomEvent[];
  byCmid: Map<string, RoomEvent>;
}

/**
 * An in-memory EventLog test double. It keeps the contract's ordering,
 * idempotence and "listener before append resolves" rules; appends resolve on
 * a later macrotask so callers see real asynchrony. Not durable.
 */
export class MemoryLog implements EventLog {
  private readonly rooms = new Map<string, RoomState>();
  private readonly listeners = new EventListeners();
  private closed = false;

  async start(): Promise<void> {}

  async append(command: PublishCommand): Promise<AppendResult> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.closed) throw new Error("log closed");
    const room = this.room(command.room);
    const existing = room.byCmid.get(command.cmid);
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
    room.byCmid.set(event.cmid, event);
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
    if (!state) this.rooms.set(id, (state = { epoch: randomUUID().slice(0, 8), events: [], byCmid: new Map() }));
    return state;
  }
}
