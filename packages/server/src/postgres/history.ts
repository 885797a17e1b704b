/**
 * History and resume reads from PostgreSQL for gateways in cluster mode: the
 * `HistorySource` that the Kafka log (kafka/history-source.ts) consults for
 * everything older than its recent-events buffer. The sink fills these
 * tables; a lagging sink only means the Kafka log's buffer serves more.
 */
import type { RoomEvent } from "@parley/protocol";
import type { HistorySource } from "../log/history-source.js";
import type { RoomHead } from "../log/event-log.js";
import type { PostgresEvents } from "./events.js";

/** Stored history of rooms, as the sink has written it so far. */
export class PostgresHistory implements HistorySource {
  constructor(private readonly events: PostgresEvents) {}

  /** Stored events with `afterSeq < seq`, ascending, at most `limit`. */
  read(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]> {
    return this.events.readAfter(room, afterSeq, limit);
  }

  /** The newest `limit` stored events with `seq < beforeSeq`, ascending. */
  readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]> {
    return this.events.readBefore(room, beforeSeq, limit);
  }

  /** The room's epoch and highest seq written so far; undefined for a room the sink never saw. */
  head(room: string): Promise<RoomHead | undefined> {
    return this.events.head(room);
  }
}
