import type { RoomEvent } from "@parley/protocol";

/**
 * Where a cluster gateway reads room history it no longer holds in memory:
 * in production the PostgreSQL tables the sink fills from the events topic.
 *
 * Contract:
 * - It holds only `event` records of the events topic (never duplicate
 *   markers), each (room, seq) at most once, as the sequencer wrote them.
 * - It may lag the events topic by any amount, but never has a gap: if it
 *   holds seq n of a room it holds 1..n of that room's current epoch (or
 *   everything from the first seq retention kept). KafkaLog fills the lag
 *   from its recent-events buffer and waits for the sink when the lag is
 *   larger than the buffer.
 * - `read(room, afterSeq, limit)`: events with `afterSeq < seq`, ascending, at most `limit`.
 * - `readBefore(room, beforeSeq, limit)`: the newest `limit` events with `seq < beforeSeq`, ascending.
 * - `head(room)`: the highest seq it holds and the epoch the sink saw on it
 *   (header `parley-epoch`), or undefined for a room it never saw. KafkaLog
 *   ignores a head whose epoch is not the room's current one.
 * - Errors reject; KafkaLog turns them into ParleyError UNAVAILABLE.
 */
export interface HistorySource {
  read(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]>;
  readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]>;
  head(room: string): Promise<{ readonly epoch: string; readonly lastSeq: number } | undefined>;
}
