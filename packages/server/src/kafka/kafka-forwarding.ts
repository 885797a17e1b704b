/**
 * Forwarding over Kafka: each gateway owns a one-partition topic
 * `<prefix>gateway.<id>`, created when it starts and deleted when it stops
 * (a killed gateway's topic is kept for an hour at most by retention). The
 * redistributor produces to it with an idempotent producer, one send per
 * gateway at a time, so records arrive in the order sent.
 */
import { Consumer, ProduceAcks, Producer } from "@platformatic/kafka";
import { closeForced } from "./close-client.js";
import type { ForwardReceiver, ForwardRecord, ForwardSender } from "./forwarding.js";
import { PartitionReader } from "./partition-reader.js";
import { PollLoop } from "./poll-loop.js";
import { SerialQueue } from "./serial-queue.js";
import { gatewayTopic } from "./routing-records.js";
import { deleteTopic, ensureTopic, type KafkaClusterOptions } from "./topics.js";

const STALE_MS = 10_000;
/** A dead gateway's forward topic keeps its records this long. */
const RETENTION_MS = 3_600_000;

/** Sends forwarded records to gateways' topics. */
export class KafkaForwardSender implements ForwardSender {
  private readonly producer: Producer;

  constructor(private readonly cluster: KafkaClusterOptions) {
    this.producer = new Producer({
      clientId: `${cluster.clientId ?? "parley"}-forward`,
      bootstrapBrokers: [...cluster.brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
  }

  /** The idempotent producer fails sends overlapping on one partition: one send per gateway at a time. */
  private readonly queue = new SerialQueue();

  send(gateway: string, records: readonly ForwardRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return this.queue.run(gateway, () => this.produce(gateway, records));
  }

  private async produce(gateway: string, records: readonly ForwardRecord[]): Promise<void> {
    const topic = gatewayTopic(this.cluster.topicPrefix ?? "parley.", gateway);
    await this.producer.send({
      messages: records.map((r) => ({
        topic,
        partition: 0,
        key: r.key ?? undefined,
        value: r.value ?? undefined,
        headers: new Map(r.headers.filter((h): h is [Buffer, Buffer] => h[0] !== null && h[1] !== null)),
      })),
    });
  }

  close(): Promise<void> {
    return closeForced(this.producer);
  }
}

/** A gateway's forward topic, read from its start. */
export class KafkaForwardReceiver implements ForwardReceiver {
  private readonly topic: string;
  private consumer: Consumer | undefined;
  private readonly poll: PollLoop;

  constructor(
    private readonly cluster: KafkaClusterOptions,
    gateway: string,
    onError: (err: unknown) => void = (e) => console.error("parley: forward inbox:", e),
  ) {
    this.topic = gatewayTopic(cluster.topicPrefix ?? "parley.", gateway);
    this.poll = new PollLoop(onError);
  }

  async start(handler: (record: ForwardRecord) => void): Promise<void> {
    const configs = [{ name: "retention.ms", value: String(RETENTION_MS) }];
    await ensureTopic(this.cluster, this.topic, { partitions: 1, replicas: this.cluster.replication ?? 1, configs });
    this.consumer = new Consumer({
      clientId: `${this.cluster.clientId ?? "parley"}-inbox`,
      groupId: `${this.topic}-unjoined`,
      bootstrapBrokers: [...this.cluster.brokers],
    });
    const reader = new PartitionReader(this.consumer, this.topic, { maxWaitMs: 500 });
    let next = 0n;
    this.poll.start(async () => {
      const batch = (await reader.fetch(new Map([[0, next]]))).get(0);
      if (this.poll.closed) return;
      for (const r of batch?.records ?? []) handler(r);
      next = batch?.next ?? next;
    });
  }

  reading(): boolean {
    return this.poll.reading(STALE_MS);
  }

  async close(): Promise<void> {
    await this.poll.stop();
    await closeForced(this.consumer);
    await deleteTopic(this.cluster, this.topic);
  }
}
