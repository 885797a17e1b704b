/**
 * How far the sink has written each events partition to PostgreSQL: the
 * `<prefix>sink` group's committed offsets (the sink commits only after its
 * PostgreSQL transaction, so every event below them is stored). Polled off
 * the sequencing path; the sequencer's cache keeps what lies above them.
 */
import { Admin } from "@platformatic/kafka";
import type { KafkaClusterOptions } from "./topics.js";

/** Polls the sink group's committed offsets on the events topic. */
export class SinkWatermark {
  private readonly admin: Admin;
  private readonly offsets = new Map<number, bigint>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: KafkaClusterOptions,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.admin = new Admin({
      clientId: `${cluster.clientId ?? "parley"}-sink-watermark`,
      bootstrapBrokers: [...cluster.brokers],
    });
  }

  /** The sink's committed offset on events partition `p` (0 before it committed anything). */
  get(p: number): bigint {
    return this.offsets.get(p) ?? 0n;
  }

  /** Reads the offsets now. */
  async refresh(): Promise<void> {
    const prefix = this.cluster.topicPrefix ?? "parley.";
    const [group] = await this.admin.listConsumerGroupOffsets({ groups: [`${prefix}sink`] });
    for (const topic of group?.topics ?? []) {
      if (topic.name !== `${prefix}events`) continue;
      for (const { partitionIndex, committedOffset } of topic.partitions) {
        // Offsets only move forward for our purpose: a reset group must not release held entries early.
        if (committedOffset > this.get(partitionIndex)) this.offsets.set(partitionIndex, committedOffset);
      }
    }
  }

  /** Refreshes every `intervalMs` until closed. */
  start(intervalMs = 1000): void {
    const tick = () => void this.refresh().catch(this.onError);
    this.timer ??= setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.admin.close().catch(() => {});
  }
}
