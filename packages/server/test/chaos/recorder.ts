/** Collects what chaos clients see into a {@link ChaosHistory} for the checker. */
import type { ChaosHistory, PublishRecord, RoomHistory, SubscriptionRecord } from "./history.js";

/** What has been acked so far, live, while the run goes on. */
export interface AckedTally {
  readonly total: number;
  readonly fifo: number;
  readonly byKind: Readonly<Record<string, number>>;
}

/** Shared by every client of one run. */
export class ChaosRecorder {
  private readonly publishes = new Map<string, PublishRecord>();
  private readonly subscriptions: SubscriptionRecord[] = [];

  /** A new logical publish (cmids are unique per run); record a client's publishes in the order it made them. */
  publish(start: Omit<PublishRecord, "acks" | "error">): PublishRecord {
    const record: PublishRecord = { kind: "message", ...start, acks: [] };
    this.publishes.set(record.cmid, record);
    return record;
  }

  /** The record of `cmid`, for a late ack. */
  findPublish(cmid: string): PublishRecord | undefined {
    return this.publishes.get(cmid);
  }

  /** A new logical subscription. */
  subscription(client: string, room: string, startAfter: number, mayRead: boolean): SubscriptionRecord {
    const record: SubscriptionRecord = {
      client,
      room,
      startAfter,
      mayRead,
      stayed: false,
      events: [],
      epochs: [],
      notRecovered: 0,
    };
    this.subscriptions.push(record);
    return record;
  }

  /** Acked publishes so far. */
  get ackedCount(): number {
    return this.ackedTally().total;
  }

  /** Acked publishes so far: in all, of FIFO (SDK) publishers, and per kind. */
  ackedTally(): AckedTally {
    const byKind: Record<string, number> = {};
    let total = 0;
    let fifo = 0;
    for (const p of this.publishes.values()) {
      if (p.acks.length === 0) continue;
      total++;
      if (p.fifo) fifo++;
      byKind[p.kind ?? "message"] = (byKind[p.kind ?? "message"] ?? 0) + 1;
    }
    return { total, fifo, byKind };
  }

  /** The history to check, with the server's final room histories. */
  history(rooms: readonly RoomHistory[]): ChaosHistory {
    return { publishes: [...this.publishes.values()], subscriptions: [...this.subscriptions], rooms };
  }
}
