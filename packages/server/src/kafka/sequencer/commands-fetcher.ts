/**
 * One commands fetch for every partition a sequencer instance owns.
 *
 * Each partition worker used to long-poll its partition on a connection of
 * its own: 12 Fetch requests and 12 responses per round where one would do
 * (the client's request building and parsing was the largest share of the
 * sequencer's CPU, docs/performance.md). Here one loop fetches, in one
 * request per leader broker, every joined partition whose buffer has room,
 * and appends what came to that partition's feed; the worker takes from its
 * feed. Each leader has at most one fetch in flight, and leaders are fetched
 * independently of each other.
 *
 * Latency: a partition stays in every fetch while its worker commits the
 * batch before (the buffer is the prefetch), so records for it end a
 * long-poll in flight at once; only a partition that just joined, or whose
 * buffer was full, waits for its leader's fetch in flight to return (at most
 * maxWaitMs).
 *
 * A failed fetch fails the feeds it was fetching (their workers end and
 * start again, as when each had its own fetch); later feeds are unaffected.
 */
import { Consumer } from "@platformatic/kafka";
import { latencyTrace } from "../../metrics/latency-trace.js";
import { closeForced } from "../close-client.js";
import { PartitionReader, type PartitionBatch, type ReadRecord } from "../partition-reader.js";
import type { KafkaClusterOptions } from "../topics.js";

/** What CommandsFetcher needs. */
export interface CommandsFetcherOptions {
  readonly cluster: KafkaClusterOptions;
  readonly clientId: string;
  readonly topic: string;
  /** Records buffered per partition beyond which it is left out of fetches until its worker takes some. */
  readonly bufferRecords: number;
  /** Longest the broker holds a fetch open while none of its partitions has data. */
  readonly maxWaitMs: number;
}

/** What a take hands a worker: records in offset order, and the commands offset right after them. */
export interface Taken {
  readonly records: ReadRecord[];
  readonly next: bigint;
}

/** A partition's place in the shared fetch; its worker takes from it. */
export class CommandsFeed {
  /** Fetched, not yet taken. */
  private buffer: ReadRecord[] = [];
  /** performance.now() when the oldest buffered record was fetched (latency-trace.ts). */
  private bufferedAt = 0;
  private waiter: { wake: () => void; reject: (err: unknown) => void } | undefined;
  private error: unknown;
  closed = false;
  /** True while a fetch of the partition is in flight (the loop does not fetch it twice). */
  fetching = false;

  constructor(
    readonly partition: number,
    /** The offset fetched next: right after everything fetched so far. */
    public next: bigint,
    private readonly fetcher: CommandsFetcher,
  ) {}

  /** True while the feed wants the next fetch to include it. */
  hungry(limit: number): boolean {
    return !this.closed && this.error === undefined && this.buffer.length < limit;
  }

  /**
   * Up to `max` buffered records; when none are, waits until a fetch brings
   * some or moves past transaction markers (records empty, `next` further).
   * Resolves empty once the feed is closed; rejects once a fetch of it failed.
   */
  take(max: number): Promise<Taken> {
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.closed) return Promise.resolve({ records: [], next: this.next });
    if (this.buffer.length > 0) return Promise.resolve(this.cut(max));
    if (this.waiter) return Promise.reject(new Error(`commands feed ${this.partition}: two takes at once`));
    return new Promise<Taken>((resolve, reject) => {
      this.waiter = { wake: () => resolve(this.closed ? { records: [], next: this.next } : this.cut(max)), reject };
    });
  }

  /** Leaves the shared fetch; a take waiting resolves empty. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.fetcher.leave(this);
    this.wake();
  }

  /** A fetch of the partition returned something (records, or markers only: `next` moved). */
  received(batch: PartitionBatch, fetchedAt: number): void {
    if (this.closed) return;
    if (this.buffer.length === 0) this.bufferedAt = fetchedAt;
    for (const r of batch.records) this.buffer.push(r);
    if (batch.next > this.next) this.next = batch.next;
    this.wake();
  }

  /** A fetch of the partition failed: the take waiting and every later one reject. */
  failed(err: unknown): void {
    this.error = err;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(err);
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.wake();
  }

  private cut(max: number): Taken {
    const records = this.buffer.length <= max ? this.buffer : this.buffer.slice(0, max);
    this.buffer = records === this.buffer ? [] : this.buffer.slice(max);
    if (latencyTrace && records.length > 0) latencyTrace.add("seq.wait", performance.now() - this.bufferedAt);
    // Cut short, the rest starts right after the last taken; taken whole, after everything fetched (which
    // skips transaction markers and aborted records at the end).
    const next = this.buffer.length > 0 ? (records.at(-1) as ReadRecord).offset + 1n : this.next;
    this.fetcher.wake();
    return { records, next };
  }
}

/** The instance's commands fetch loop. */
export class CommandsFetcher {
  private readonly consumer: Consumer;
  private readonly reader: PartitionReader;
  private readonly feeds = new Map<number, CommandsFeed>();
  private running = false;
  /** Broker nodes with a fetch in flight. */
  private readonly busy = new Set<number>();
  private wakeUp: (() => void) | undefined;
  private closed = false;

  constructor(private readonly o: CommandsFetcherOptions) {
    // A connection of its own: the broker answers one request per connection at a time, so the
    // ownership reads and rebuilds (the service's reader) must not queue behind an idle long-poll.
    this.consumer = new Consumer({
      clientId: `${o.clientId}-commands`,
      groupId: `${o.clientId}-commands-unjoined`,
      bootstrapBrokers: [...o.cluster.brokers],
    });
    this.reader = new PartitionReader(this.consumer, o.topic, { maxWaitMs: o.maxWaitMs });
  }

  /** Starts fetching partition `p` from `from`; the feed replaces any earlier one of `p`. */
  join(p: number, from: bigint): CommandsFeed {
    if (this.closed) throw new Error("commands fetcher closed");
    this.feeds.get(p)?.close();
    const feed = new CommandsFeed(p, from, this);
    this.feeds.set(p, feed);
    if (!this.running) void this.run();
    this.wake();
    return feed;
  }

  /** Records of `p` between `position` and its end as the latest fetch saw it. */
  lagAt(p: number, position: bigint): bigint {
    return this.reader.lagAt(p, position);
  }

  /** Called by a closing feed. */
  leave(feed: CommandsFeed): void {
    if (this.feeds.get(feed.partition) === feed) this.feeds.delete(feed.partition);
  }

  /**
   * Ends the loop and closes the connection. A long-poll in flight is not
   * waited for (the client does not end it on close): the loop ends once it returns.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const feed of [...this.feeds.values()]) feed.close();
    this.wake();
    await closeForced(this.consumer);
  }

  /** A feed's buffer got room, or a feed joined: fetch again if the loop sleeps. */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  /**
   * Each turn: the hungry feeds not being fetched, by leader; a fetch to each
   * leader with none in flight. Leaders are fetched independently, so an idle
   * broker's long-poll never holds back another broker's records.
   */
  private async run(): Promise<void> {
    this.running = true;
    while (!this.closed) {
      // Takes and joins of this turn land first, so the fetch carries every partition that wants one.
      await new Promise((resolve) => setImmediate(resolve));
      const hungry = [...this.feeds.values()].filter((f) => !f.fetching && f.hungry(this.o.bufferRecords));
      if (hungry.length > 0 && (await this.fetchEachLeader(hungry)) > 0) continue;
      // Nothing to fetch, or every leader busy: a join, a take or a fetch's return wakes the loop.
      if (!this.closed) await new Promise<void>((resolve) => (this.wakeUp = resolve));
    }
  }

  /** Starts a fetch to every leader of `hungry` that has none in flight; returns how many started. */
  private async fetchEachLeader(hungry: readonly CommandsFeed[]): Promise<number> {
    let route;
    try {
      route = await this.reader.route(hungry.map((f) => f.partition));
    } catch (err) {
      this.fail(hungry, err);
      return 0;
    }
    let started = 0;
    for (const [node, partitions] of route.byLeader) {
      if (this.busy.has(node)) continue;
      const round = hungry.filter((f) => partitions.includes(f.partition));
      started++;
      void this.fetch(route.topicId, node, round);
    }
    return started;
  }

  private async fetch(topicId: string, node: number, round: readonly CommandsFeed[]): Promise<void> {
    this.busy.add(node);
    for (const feed of round) feed.fetching = true;
    try {
      const positions = new Map(round.map((f) => [f.partition, f.next]));
      const batches = await this.reader.fetchFrom(topicId, node, positions);
      const fetchedAt = performance.now();
      if (latencyTrace) traceArrival(batches);
      for (const feed of round) {
        const batch = batches.get(feed.partition);
        if (batch) feed.received(batch, fetchedAt);
      }
    } catch (err) {
      this.fail(round, err);
    } finally {
      this.busy.delete(node);
      for (const feed of round) feed.fetching = false;
      this.wake();
    }
  }

  private fail(feeds: readonly CommandsFeed[], err: unknown): void {
    for (const feed of feeds) {
      feed.failed(err);
      this.leave(feed);
    }
  }
}

/** latency-trace.ts: per command, gateway encode → fetched here. */
function traceArrival(batches: ReadonlyMap<number, PartitionBatch>): void {
  const now = Date.now();
  for (const batch of batches.values()) {
    for (const r of batch.records) latencyTrace?.add("seq.arrive", now - r.timestamp);
    latencyTrace?.add("seq.batch", batch.records.length);
  }
}
