/**
 * Cleans the backchannel of gateways that died: once a gateway's lease has
 * been lapsed for `graceMs`, a redistributor writes the tombstones the
 * gateway would have written on a graceful stop (every room it declared,
 * then its leave), so compaction forgets them and every redistributor's
 * table drops them when it reads the leave. Several redistributors may do it
 * at once: tombstones are idempotent. A gateway that was only paused
 * declares its rooms again when its renewals resume (InterestWriter.onLapse).
 */
import { ProduceAcks, Producer } from "@platformatic/kafka";
import { closeForced } from "../close-client.js";
import { interestMessages, type InterestRecord } from "../routing-records.js";
import { SerialQueue } from "../serial-queue.js";
import type { KafkaClusterOptions } from "../topics.js";
import type { InterestTable } from "./interest-table.js";

/** Writes the tombstones of expired gateways. */
export class InterestJanitor {
  private readonly producer: Producer;
  private readonly writes = new SerialQueue();
  /** Gateways already cleaned whose leave has not been read back yet. */
  private readonly cleaned = new Set<string>();

  constructor(
    cluster: KafkaClusterOptions,
    private readonly topic: string,
    private readonly table: InterestTable,
    private readonly graceMs: number,
  ) {
    this.producer = new Producer({
      clientId: `${cluster.clientId ?? "parley"}-interest-janitor`,
      bootstrapBrokers: [...cluster.brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
  }

  /** Tombstones every gateway lapsed for graceMs or more; resolves with the gateways cleaned. */
  async sweep(): Promise<string[]> {
    const lapsed = this.table.expired(this.graceMs);
    for (const g of this.cleaned) if (!lapsed.includes(g)) this.cleaned.delete(g); // its leave was read back
    const expired = lapsed.filter((g) => !this.cleaned.has(g));
    for (const gateway of expired) {
      const records: InterestRecord[] = [
        ...this.table.roomsOf(gateway).map((room): InterestRecord => ({ type: "withdraw", gateway, room })),
        { type: "leave", gateway },
      ];
      const messages = interestMessages(this.topic, records);
      await this.writes.run("", () => this.producer.send({ messages }));
      this.cleaned.add(gateway);
    }
    return expired;
  }

  close(): Promise<void> {
    return closeForced(this.producer);
  }
}
