/**
 * A node without a gateway (a sequencer, a sink, a bridge) announces where its ops routes listen
 * (/healthz, /readyz, /metrics: ops-server.ts) on the presence topic, as gateways announce theirs
 * with their snapshots, so a gateway's admin dashboard can show its readiness and lag without any
 * list of addresses to configure. Best effort: a lost heartbeat is repeated; a node that stops says
 * goodbye, and one that dies is forgotten once silent (presence-link.ts, NodeDirectory.expire).
 */
import { randomBytes } from "node:crypto";
import { Producer, stringSerializers } from "@platformatic/kafka";
import type { Logger } from "../logger.js";
import { ensurePresenceTopic, type BeaconRecord } from "./presence-link.js";

/** Options of OpsBeacon. */
export interface OpsBeaconOptions {
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  readonly replication?: number;
  readonly roles: readonly string[];
  readonly logger: Logger;
  /** Default 2000 ms, the gateways' snapshot interval. */
  readonly heartbeatMs?: number;
}

/** Announces one node's ops URL until stopped. */
export class OpsBeacon {
  readonly nodeId = randomBytes(6).toString("base64url");
  private producer: Producer<string, string, string, string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private url = "";

  constructor(private readonly options: OpsBeaconOptions) {}

  /** Starts announcing `url` at once and then every heartbeat. */
  async start(url: string): Promise<void> {
    const { brokers, topicPrefix } = this.options;
    this.url = url;
    await ensurePresenceTopic([...brokers], `${topicPrefix}presence`, this.options.replication ?? 1);
    this.producer = new Producer({
      clientId: `parley-beacon-${this.nodeId}`,
      bootstrapBrokers: [...brokers],
      serializers: stringSerializers,
    });
    this.timer = setInterval(() => this.send(this.record()), this.options.heartbeatMs ?? 2000);
    this.timer.unref();
    this.send(this.record());
  }

  /** Says goodbye, then closes. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.write({ ...this.record(), bye: true }).catch(() => undefined);
    await this.producer?.close().catch(() => undefined);
    this.producer = undefined;
  }

  private record(): BeaconRecord {
    return { node: this.nodeId, ops: { url: this.url, roles: this.options.roles } };
  }

  private send(record: BeaconRecord): void {
    this.write(record).catch((err: unknown) => this.options.logger.debug({ err }, "ops beacon publish failed"));
  }

  private async write(record: BeaconRecord): Promise<void> {
    if (!this.producer) return;
    const topic = `${this.options.topicPrefix}presence`;
    await this.producer.send({ messages: [{ topic, key: this.nodeId, value: JSON.stringify(record) }] });
  }
}
