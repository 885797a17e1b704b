/**
 * The dead-letter topic: a record that cannot become an event is copied there
 * (same key, value and headers) with the reason and its source coordinates
 * added as headers, so its partition moves on and an operator can see, fix
 * and replay it. Written before the source offset is committed, so a crash in
 * between writes the dead letter again: dead letters are at least once, and
 * the `parley-source-*` headers identify a repeat.
 */
import { Admin, Producer, ProduceAcks } from "@platformatic/kafka";
import { closeForced } from "../kafka/close-client.js";
import type { RecordRefusal, SourceRecord } from "./record-command.js";

/** Header names a dead letter carries besides the source record's own. */
export const DEAD_LETTER_HEADERS = {
  code: "parley-error-code",
  message: "parley-error-message",
  topic: "parley-source-topic",
  partition: "parley-source-partition",
  offset: "parley-source-offset",
} as const;

/** How to reach the dead-letter topic. */
export interface DeadLettersOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Partitions and replication when the topic is created. */
  readonly partitions: number;
  readonly replication: number;
  readonly clientId: string;
}

/** Writes dead letters; acks=all, so a dead letter is durable before its source offset is committed. */
export class DeadLetters {
  private producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;

  constructor(private readonly options: DeadLettersOptions) {}

  /** Creates the topic if it is missing and opens the producer. */
  async start(): Promise<void> {
    const { brokers, topic, partitions, replication, clientId } = this.options;
    const admin = new Admin({ clientId: `${clientId}-admin`, bootstrapBrokers: [...brokers] });
    try {
      if (!(await admin.listTopics()).includes(topic)) {
        await admin.createTopics({ topics: [topic], partitions, replicas: replication }).catch((err: unknown) => {
          // Another bridge created it between our list and create.
          if (!(err as { findBy?: (k: string, v: string) => unknown }).findBy?.("apiId", "TOPIC_ALREADY_EXISTS"))
            throw err;
        });
      }
    } finally {
      await admin.close();
    }
    this.producer = new Producer({ clientId, bootstrapBrokers: [...brokers], idempotent: true, acks: ProduceAcks.ALL });
  }

  /** Writes one dead letter; rejects while the broker cannot take it (the caller retries). */
  async write(record: SourceRecord, reason: RecordRefusal): Promise<void> {
    if (!this.producer) throw new Error("dead letters: write before start()");
    const text = (s: string) => Buffer.from(s, "utf8");
    const h = DEAD_LETTER_HEADERS;
    const headers = new Map<Buffer, Buffer>([
      ...record.headers,
      [text(h.code), text(reason.code)],
      [text(h.message), text(reason.message)],
      [text(h.topic), text(record.topic)],
      [text(h.partition), text(String(record.partition))],
      [text(h.offset), text(String(record.offset))],
    ]);
    await this.producer.send({
      messages: [{ topic: this.options.topic, key: record.key, value: record.value, headers }],
    });
  }

  async close(): Promise<void> {
    await closeForced(this.producer);
  }
}
