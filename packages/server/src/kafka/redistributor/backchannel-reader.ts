/**
 * A redistributor's reader of the backchannel (`<prefix>interest`): reads the
 * compacted topic from its start into the InterestTable, and tells of every
 * declaration written after it caught up (each one asks for a join). Those
 * read while catching up are not answered: a gateway still waiting declares
 * again (RoomJoins.sweep).
 */
import { Consumer } from "@platformatic/kafka";
import { closeForced } from "../close-client.js";
import { PartitionReader } from "../partition-reader.js";
import { PollLoop } from "../poll-loop.js";
import { decodeInterest, type InterestRecord } from "../routing-records.js";
import type { InterestTable } from "./interest-table.js";

const STALE_MS = 10_000;

/** Options of BackchannelReader. */
export interface BackchannelReaderOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly clientId: string;
  readonly table: InterestTable;
  /** A declaration written after the reader caught up. */
  readonly onDeclare: (rec: Extract<InterestRecord, { type: "declare" }>) => void;
  readonly onError: (err: unknown) => void;
}

/** Keeps an InterestTable current. */
export class BackchannelReader {
  private readonly consumer: Consumer;
  private readonly reader: PartitionReader;
  private next = 0n;
  private liveFrom = 0n;
  private readonly poll: PollLoop;

  constructor(private readonly options: BackchannelReaderOptions) {
    this.consumer = new Consumer({
      clientId: options.clientId,
      groupId: `${options.clientId}-unjoined`,
      bootstrapBrokers: [...options.brokers],
    });
    this.reader = new PartitionReader(this.consumer, options.topic, { maxWaitMs: 200 });
    this.poll = new PollLoop(options.onError);
  }

  /** Resolves once the table holds everything written before the call. */
  async start(): Promise<void> {
    const [low, end] = await Promise.all([this.reader.startOffsets([0]), this.reader.endOffsets([0])]);
    this.next = low.get(0) ?? 0n;
    this.liveFrom = end.get(0) ?? 0n;
    while (!this.poll.closed && this.next < this.liveFrom) await this.step();
    this.poll.start(() => this.step());
  }

  /** True while the table is current (the last read succeeded within 10 s). */
  reading(): boolean {
    return this.poll.reading(STALE_MS);
  }

  async close(): Promise<void> {
    await this.poll.stop();
    await closeForced(this.consumer);
  }

  private async step(): Promise<void> {
    const batch = (await this.reader.fetch(new Map([[0, this.next]]))).get(0);
    if (this.poll.closed || !batch) return;
    for (const r of batch.records) {
      const rec = decodeInterest(r.key, r.value);
      if (!rec) continue;
      this.options.table.apply(rec, r.timestamp);
      if (rec.type === "declare" && r.offset >= this.liveFrom) this.options.onDeclare(rec);
    }
    this.next = batch.next;
  }
}
