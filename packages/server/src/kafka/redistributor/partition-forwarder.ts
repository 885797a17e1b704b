/**
 * One events partition owned by a redistributor: it reads the partition from
 * the group's committed offset, forwards each record to the gateways that
 * want it (routes.ts), and commits the offset after the gateways' sends were
 * acknowledged, so a new owner replays at most what was sent but not
 * committed (gateways drop what they hold by seq). A recent-events buffer,
 * warmed from the records before the start, answers interest declarations
 * with the room's events after the declared seq (a join); the join goes
 * into the same ordered queue per gateway as the forwards, after everything
 * this worker routed before it, so join + forwards leave no hole.
 */
import type { Consumer } from "@platformatic/kafka";
import type { ForwardRecord, ForwardSender } from "../forwarding.js";
import { RecentBuffer } from "../log/recent-buffer.js";
import type { PartitionReader } from "../partition-reader.js";
import { decodeEventsRecord } from "../records.js";
import { encodeJoin, type JoinAnswer } from "../routing-records.js";
import type { InterestTable } from "./interest-table.js";
import { SerialQueue } from "../serial-queue.js";
import { routeOf } from "./routes.js";

/** Options of PartitionForwarder. */
export interface PartitionForwarderOptions {
  readonly partition: number;
  readonly topic: string;
  readonly reader: PartitionReader;
  /** The group member: where offsets are read and committed. */
  readonly group: Consumer;
  readonly table: InterestTable;
  readonly sender: ForwardSender;
  /** Records read back before the start to warm the buffer. */
  readonly warmup: number;
  /** Events per room held for joins. */
  readonly perRoom: number;
  /** Largest join answer, in JSON bytes. */
  readonly joinMaxBytes: number;
  readonly onError: (err: unknown) => void;
  /** Told the records read and forwards sent by each fetch (metrics). */
  readonly onBatch?: (records: number, forwards: number) => void;
}

const RETRY_MS = 200;

/** Forwards one events partition. */
export class PartitionForwarder {
  private readonly recent: RecentBuffer;
  private position = 0n;
  /** False until the start offset is known and the buffer warmed: joins wait for it, or they could miss events. */
  private begun = false;
  private readonly waitingJoins: Array<readonly [string, string, number]> = [];
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly commits = new SerialQueue();

  constructor(private readonly options: PartitionForwarderOptions) {
    this.recent = new RecentBuffer({ perRoom: options.perRoom, total: options.perRoom * 50 });
  }

  /** Reads the committed offset (or the end, committed at once), warms the buffer, then forwards. */
  start(): void {
    this.loop = this.run();
  }

  /** Stops after the fetch in flight; what it sent but did not commit, the next owner sends again. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.commits.idle();
  }

  /**
   * A gateway declared interest in a room of this partition: answer with the
   * room's events after `after` that the buffer holds (newest first up to
   * joinMaxBytes), queued behind everything already routed to that gateway.
   */
  join(gateway: string, room: string, after: number): void {
    if (!this.begun) return void this.waitingJoins.push([gateway, room, after]);
    const answer = this.answer(room, after);
    const record = encodeJoin("", answer);
    void this.enqueue(gateway, [{ key: record.key, value: record.value, headers: [...record.headers] }]);
  }

  private answer(room: string, after: number): JoinAnswer {
    const events = this.recent.after(room, after, this.options.perRoom);
    let bytes = 0;
    let from = events.length;
    while (from > 0 && bytes < this.options.joinMaxBytes) bytes += JSON.stringify(events[--from]).length;
    return { room, last: this.recent.lastSeq(room) ?? null, events: events.slice(from) };
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.begun) await this.begin();
        await this.step();
      } catch (err) {
        if (this.stopped) return;
        this.options.onError(err);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async begin(): Promise<void> {
    const { topic, partition, group, reader } = this.options;
    const committed = (await group.listCommittedOffsets({ topics: [{ topic, partitions: [partition] }] }))
      .get(topic)
      ?.at(partition);
    const [low, end] = await Promise.all([reader.startOffsets([partition]), reader.endOffsets([partition])]);
    const first = low.get(partition) ?? 0n;
    let at = committed !== undefined && committed >= 0n ? committed : (end.get(partition) ?? 0n);
    if (at < first) at = first;
    // Committed at once: an owner that dies before its first commit must not make the next start at the end.
    if (committed === undefined || committed < 0n) await this.commit(at);
    const back = at - BigInt(this.options.warmup);
    await this.warm(back > first ? back : first, at);
    this.position = at;
    this.begun = true;
    for (const [gateway, room, after] of this.waitingJoins.splice(0)) this.join(gateway, room, after);
  }

  private async warm(from: bigint, to: bigint): Promise<void> {
    let next = from;
    while (!this.stopped && next < to) {
      const batch = (await this.options.reader.fetch(new Map([[this.options.partition, next]]))).get(
        this.options.partition,
      );
      if (!batch) return;
      for (const r of batch.records) {
        if (r.offset >= to) break;
        const rec = decodeEventsRecord(r.value, r.headers);
        if (rec?.type === "event") this.recent.add(rec.event);
      }
      next = batch.next;
    }
  }

  /** Fetches once, routes synchronously (so joins see a consistent buffer), sends, then commits. */
  private async step(): Promise<void> {
    const { partition, reader, table } = this.options;
    const from = this.position;
    const batch = (await reader.fetch(new Map([[partition, from]]))).get(partition);
    if (this.stopped || !batch || batch.next === from) return;
    const out = new Map<string, ForwardRecord[]>();
    for (const r of batch.records) {
      const rec = decodeEventsRecord(r.value, r.headers);
      if (!rec) continue;
      if (rec.type === "event") this.recent.add(rec.event);
      for (const gateway of routeOf(rec, table)) {
        let list = out.get(gateway);
        if (!list) out.set(gateway, (list = []));
        list.push(r);
      }
    }
    let forwards = 0;
    for (const list of out.values()) forwards += list.length;
    await Promise.all([...out].map(([gateway, records]) => this.enqueue(gateway, records)));
    this.options.onBatch?.(batch.records.length, forwards);
    this.position = batch.next;
    // Not awaited: the next fetch need not wait for it. Commits stay in order (one at a time) and each
    // follows the sends of the records before it, which are awaited above.
    this.commits.run("", () => this.commit(batch.next)).catch((err: unknown) => this.options.onError(err));
  }

  /**
   * Sends to `gateway` (the sender keeps each gateway's sends in call order).
   * A send that fails is retried while the gateway's lease runs (a dead
   * gateway's records are dropped: nobody reads them); the partition waits
   * meanwhile, so nothing is committed past a record a live gateway did not get.
   */
  private enqueue(gateway: string, records: readonly ForwardRecord[]): Promise<void> {
    return this.sendUntilDone(gateway, records);
  }

  private async sendUntilDone(gateway: string, records: readonly ForwardRecord[]): Promise<void> {
    for (;;) {
      try {
        return await this.options.sender.send(gateway, records);
      } catch (err) {
        if (this.stopped || !this.options.table.alive(gateway)) return;
        this.options.onError(err);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async commit(offset: bigint): Promise<void> {
    const { topic, partition } = this.options;
    await this.options.group.commit({ offsets: [{ topic, partition, offset, leaderEpoch: -1 }] });
  }
}
