/**
 * A consumer group's message stream that resumes by itself. A stream dies on
 * a fetch that failed past its retries (the broker restarting, say); a new one
 * is then opened on the same consumer after a pause, starting where the group
 * says ("committed" mode: the committed offset). Records the old stream
 * had delivered may come again; the bridge makes a repeat harmless. Offsets
 * are never auto-committed: each reader commits what it has finished. The
 * presence link reads from the latest offset instead: it wants only what
 * comes next, and a stream it lost was never reopened before.
 */
import type { Consumer, Message, MessagesStream } from "@platformatic/kafka";
import type { Logger } from "../logger.js";

type RawConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
/** A stream of raw (Buffer) records. */
export type RawStream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;
/** A raw (Buffer) record. */
export type RawMessage = Message<Buffer, Buffer, Buffer, Buffer>;

/** What a ResumingStream reads and whom it tells. */
export interface ResumingStreamOptions {
  readonly consumer: RawConsumer;
  readonly topics: readonly string[];
  readonly onMessage: (m: RawMessage) => void;
  readonly logger: Logger;
  /** The reader in log lines (`bridge`, `presence`). */
  readonly name: string;
  /** Pause before a dead stream is reopened. Default 1000 ms. */
  readonly pauseMs?: number;
  /**
   * Where a (re)opened stream starts: `committed` (default: the committed offset, the earliest without one), or
   * `latest` for an ephemeral reader that wants only what comes next (presence: what it missed is repeated).
   */
  readonly mode?: "committed" | "latest";
}

const committedOrEarliest = { mode: "committed", fallbackMode: "earliest" } as const;

/** The current stream of a consumer, replaced whenever it dies, until closed. */
export class ResumingStream {
  private stream: RawStream | undefined;
  private closed = false;

  constructor(private readonly options: ResumingStreamOptions) {}

  /** The stream now open (undefined before open()). */
  get current(): RawStream | undefined {
    return this.stream;
  }

  /** Opens the stream: each assigned partition from the committed offset, the earliest without one (or the latest). */
  async open(): Promise<void> {
    const from = this.options.mode === "latest" ? { mode: "latest" as const } : committedOrEarliest;
    const stream = await this.options.consumer.consume({
      ...from,
      topics: [...this.options.topics],
      autocommit: false,
      maxWaitTime: 200,
    });
    this.stream = stream;
    stream.on("data", (m: RawMessage) => this.options.onMessage(m));
    stream.once("error", (err: unknown) => {
      this.options.logger.error({ err }, `${this.options.name} consumer error; reopening the stream`);
      void this.reopen(stream);
    });
  }

  /** Closes the current stream; no new one is opened after. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stream?.close().catch(() => undefined);
  }

  private async reopen(dead: RawStream): Promise<void> {
    void dead.close().catch(() => undefined); // already destroyed; not awaited, it may never settle
    const wanted = () => !this.closed && this.stream === dead;
    while (wanted()) {
      await new Promise((r) => setTimeout(r, this.options.pauseMs ?? 1000));
      if (!wanted()) return;
      try {
        await this.open();
      } catch (err) {
        this.options.logger.warn({ err }, `${this.options.name} could not reopen its stream; retrying`);
      }
    }
  }
}
