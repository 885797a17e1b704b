/**
 * Reads Parley's events topic as docs/kafka.md says an outside reader should: its own consumer
 * group, read_committed, version-checked records, `duplicate` records skipped, and each record's
 * offset committed only after the bot handled it (so delivery is at least once).
 */
import { Consumer, FetchIsolationLevels, type Message, type MessagesStream } from "@platformatic/kafka";
import type { RoomEvent } from "@parley/protocol";

type Raw = Message<Buffer, Buffer, Buffer, Buffer>;

/** The events record format this reader knows (header `parley-v`). */
export const EVENTS_FORMAT_VERSION = "1";

/** Options of EventsReader. */
export interface EventsReaderOptions {
  readonly brokers: readonly string[];
  /** `<prefix>events`. */
  readonly topic: string;
  readonly group: string;
  /** Where a group without committed offsets starts: `latest` (only new events) or `earliest`. */
  readonly start: "latest" | "earliest";
  /** Handles one event; the record is committed once this resolves. Rejecting stops the reader. */
  readonly onEvent: (event: RoomEvent) => Promise<void>;
  readonly log: (message: string) => void;
}

/** A consumer-group reader of the events topic, one record at a time in topic order. */
export class EventsReader {
  private readonly consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  private stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: EventsReaderOptions) {
    this.consumer = new Consumer({
      groupId: options.group,
      clientId: `${options.group}-${process.pid}`,
      bootstrapBrokers: [...options.brokers],
      // Only events of committed sequencer transactions happened (docs/kafka.md, "Reading it").
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
  }

  /** Joins the group and starts reading; resolves once the first assignment is known. */
  async start(): Promise<void> {
    const joined = new Promise<void>((resolve) => this.consumer.once("consumer:group:join", () => resolve()));
    this.stream = await this.consumer.consume({
      topics: [this.options.topic],
      mode: "committed",
      fallbackMode: this.options.start,
      autocommit: false,
      maxWaitTime: 200,
    });
    this.stream.on("data", (m: Raw) => {
      // One at a time, in order: a command's answer is published before the next record is looked at.
      this.queue = this.queue.then(() => this.handle(m));
    });
    this.stream.on("error", (err: unknown) => this.options.log(`events stream error: ${String(err)}`));
    await joined;
  }

  /** Stops reading after the record in hand, and leaves the group. */
  async stop(): Promise<void> {
    await this.stream?.close().catch(() => undefined);
    await this.queue.catch(() => undefined);
    await new Promise<void>((resolve) => this.consumer.close(true, () => resolve()));
  }

  private async handle(m: Raw): Promise<void> {
    const event = eventOf(m, this.options.log);
    if (event) await this.options.onEvent(event);
    await m.commit();
  }
}

/** The record's event, or undefined for a `duplicate` marker or a record of a format this reader does not know. */
export function eventOf(
  m: Pick<Raw, "headers" | "value" | "offset" | "partition">,
  log: (s: string) => void,
): RoomEvent | undefined {
  const header = (name: string): string | undefined => {
    for (const [k, v] of m.headers) if (k.toString() === name) return v.toString();
    return undefined;
  };
  if (header("parley-v") !== EVENTS_FORMAT_VERSION) {
    log(`skipping a record of format ${header("parley-v") ?? "(none)"} at ${m.partition}:${m.offset}`);
    return undefined;
  }
  if (header("parley-t") !== "event") return undefined; // a retry's answer: the original event came before it
  return JSON.parse(m.value.toString("utf8")) as RoomEvent;
}
