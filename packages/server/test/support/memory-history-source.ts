import type { RoomEvent } from "@parley/protocol";
import { applyDeleteInPlace } from "#server/chat/tombstones.js";
import { EventsTail } from "#server/kafka/log/events-tail.js";
import type { HistorySource } from "#server/log/history-source.js";
import { ensureTopics, type KafkaClusterOptions } from "#server/kafka/topics.js";

/**
 * A HistorySource held in memory and fed from the whole events topic: a
 * stand-in for the PostgreSQL sink in tests, and a checker's view of what
 * the topic holds. Keeps the contract of history-source.ts (events only,
 * each seq once) for as long as the topic retains everything, and applies
 * deletes as the sink's projection does.
 */
export class MemoryHistorySource implements HistorySource {
  private readonly rooms = new Map<string, { epoch: string; events: RoomEvent[] }>();
  private tail: EventsTail | undefined;
  /** Events that repeated or skipped a seq: always empty unless the log is broken. */
  readonly anomalies: string[] = [];

  constructor(private readonly cluster: KafkaClusterOptions) {}

  /** Reads every retained event, then follows the topic. */
  async start(): Promise<void> {
    const layout = await ensureTopics(this.cluster);
    const clientId = `${this.cluster.clientId ?? "parley"}-history-${process.pid}-${Date.now().toString(36)}`;
    this.tail = new EventsTail({ cluster: this.cluster, layout, clientId, from: "earliest" }, (rec) => {
      if (rec.type === "event") this.add(rec.event, rec.epoch);
    });
    await this.tail.start();
  }

  async close(): Promise<void> {
    await this.tail?.close();
  }

  /** Every room seen, with its events in topic order. */
  all(): ReadonlyMap<string, readonly RoomEvent[]> {
    return new Map([...this.rooms].map(([room, r]) => [room, r.events]));
  }

  async read(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]> {
    const events = this.rooms.get(room)?.events ?? [];
    return events.filter((e) => e.seq > afterSeq).slice(0, limit);
  }

  async readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]> {
    const events = (this.rooms.get(room)?.events ?? []).filter((e) => e.seq < beforeSeq);
    return events.slice(Math.max(0, events.length - limit));
  }

  async head(room: string): Promise<{ epoch: string; lastSeq: number } | undefined> {
    const r = this.rooms.get(room);
    return r && { epoch: r.epoch, lastSeq: r.events[r.events.length - 1]?.seq ?? 0 };
  }

  private add(event: RoomEvent, epoch: string): void {
    const r = this.rooms.get(event.room) ?? { epoch, events: [] };
    this.rooms.set(event.room, r);
    const last = r.events[r.events.length - 1]?.seq ?? 0;
    if (event.seq !== last + 1) this.anomalies.push(`${event.room}: seq ${event.seq} after ${last}`);
    if (event.seq > last) {
      r.events.push(event);
      applyDeleteInPlace(r.events, event);
    }
  }
}
