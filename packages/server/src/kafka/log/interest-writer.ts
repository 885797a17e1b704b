/**
 * A redistributed gateway's side of the backchannel (`<prefix>interest`,
 * routing-records.ts): it renews its lease every quarter lease, and declares
 * and withdraws rooms. Records go out in the order written (one producer,
 * one partition). When renewals stopped for longer than the lease (the
 * process stalled, or the broker was away), redistributors may have dropped
 * this gateway's interest and sent nothing meanwhile: `onLapse` is told, so
 * every room is declared again and joins fill what was missed.
 */
import { ProduceAcks, Producer } from "@platformatic/kafka";
import { closeForced } from "../close-client.js";
import { interestMessages, interestTopic, type DirectInbox, type InterestRecord } from "../routing-records.js";
import { SerialQueue } from "../serial-queue.js";
import { ensureTopic, type KafkaClusterOptions } from "../topics.js";

/** Options of InterestWriter. */
export interface InterestWriterOptions {
  readonly cluster: KafkaClusterOptions;
  readonly gateway: string;
  readonly leaseMs: number;
  /** Put in every lease: where redistributors deliver directly (direct forwarding). */
  readonly direct?: () => DirectInbox | undefined;
  readonly onLapse: () => void;
  readonly onError?: (err: unknown) => void;
}

/** The compacted backchannel topic: one partition keeps every gateway's records in order. */
export async function ensureInterestTopic(cluster: KafkaClusterOptions): Promise<string> {
  const topic = interestTopic(cluster.topicPrefix ?? "parley.");
  const configs = [{ name: "cleanup.policy", value: "compact" }];
  await ensureTopic(cluster, topic, { partitions: 1, replicas: cluster.replication ?? 1, configs });
  return topic;
}

/** Writes one gateway's lease and interests. */
export class InterestWriter {
  private producer: Producer | undefined;
  private topic = "";
  private timer: NodeJS.Timeout | undefined;
  private renewedAt = 0;
  private queue: InterestRecord[] = [];
  private sending: Promise<void> | undefined;
  /** Every write, lease renewals included, one at a time (serial-queue.ts). */
  private readonly writes = new SerialQueue();

  constructor(private readonly options: InterestWriterOptions) {}

  /** Creates the topic if needed and writes the first lease. */
  async start(): Promise<void> {
    const { cluster } = this.options;
    this.topic = await ensureInterestTopic(cluster);
    this.producer = new Producer({
      clientId: `${cluster.clientId ?? "parley"}-interest-${this.options.gateway}`,
      bootstrapBrokers: [...cluster.brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
    await this.write([this.lease()]);
    this.renewedAt = Date.now();
    this.timer = setInterval(() => this.renew(), Math.max(50, Math.floor(this.options.leaseMs / 4)));
    this.timer.unref();
  }

  declare(room: string, after: number): void {
    this.enqueue({ type: "declare", gateway: this.options.gateway, room, after });
  }

  withdraw(room: string): void {
    this.enqueue({ type: "withdraw", gateway: this.options.gateway, room });
  }

  /** True while the lease was renewed within its length. */
  leased(): boolean {
    return this.renewedAt > 0 && Date.now() - this.renewedAt < this.options.leaseMs;
  }

  /** Says goodbye (redistributors drop this gateway at once) and closes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sending;
    await this.write([{ type: "leave", gateway: this.options.gateway }]).catch(() => undefined);
    await closeForced(this.producer);
  }

  private lease(): InterestRecord {
    const direct = this.options.direct?.();
    return { type: "lease", gateway: this.options.gateway, leaseMs: this.options.leaseMs, ...(direct && { direct }) };
  }

  private renew(): void {
    const asked = Date.now();
    this.write([this.lease()]).then(
      () => {
        const lapsed = Date.now() - this.renewedAt >= this.options.leaseMs;
        this.renewedAt = asked;
        if (lapsed) this.options.onLapse();
      },
      (err: unknown) => this.report(err),
    );
  }

  private enqueue(rec: InterestRecord): void {
    this.queue.push(rec);
    this.sending ??= this.flush();
  }

  /** Sends queued records one batch at a time, so a room's declare and withdraw keep their order. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      // A lost declare is declared again by RoomJoins.sweep; a lost withdraw leaves an interest that costs traffic only.
      await this.write(batch).catch((err: unknown) => this.report(err));
    }
    this.sending = undefined;
  }

  private async write(records: readonly InterestRecord[]): Promise<void> {
    if (!this.producer) throw new Error("interest writer: not started");
    const producer = this.producer;
    const messages = interestMessages(this.topic, records);
    await this.writes.run("", () => producer.send({ messages }));
  }

  private report(err: unknown): void {
    (this.options.onError ?? ((e) => console.error("parley: interest backchannel:", e)))(err);
  }
}
