/**
 * Carries the ephemeral traffic between gateways over a short-retention
 * Kafka topic (`<prefix>presence`, one partition: it is small and ordering
 * per node is all that matters): ClusterPresence snapshots and ClusterTyping
 * batches and ClusterDisconnect requests, told apart by their fields. Each snapshot also carries its node's
 * advertised URL (`url`) for the NodeDirectory, and a stopping node's last
 * one says `bye`. Every gateway reads it from the
 * latest offset under its own throwaway group: presence is ephemeral, a new
 * node learns the others from their next heartbeat; a typing notice sent
 * while a node was away is lost to it, as it should be.
 */
import { randomBytes } from "node:crypto";
import { Admin, Consumer, Producer, stringSerializers } from "@platformatic/kafka";
import type { Logger } from "pino";
import { ResumingStream, type RawMessage } from "../kafka/resuming-stream.js";
import { ClusterPresence, type PresenceSnapshot } from "./cluster-presence.js";
import { ClusterTyping, type TypingBatch } from "./cluster-typing.js";
import { ClusterDisconnect, type DisconnectRecord } from "./cluster-disconnect.js";
import { NodeDirectory } from "./node-directory.js";

/** Local presence changes within this many ms leave as one snapshot (see ClusterPresenceOptions.publishDelayMs). */
const PUBLISH_DELAY_MS = 50;

/** Options of PresenceLink. */
export interface PresenceLinkOptions {
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  /** Replication factor of the presence topic when created. Default 1. */
  readonly replication?: number;
  readonly logger: Logger;
  /** Snapshot interval. Default 2000 ms. */
  readonly heartbeatMs?: number;
  /** A node silent this long leaves with its users. Default 8000 ms (users of a killed gateway leave in < 15 s). */
  readonly nodeTimeoutMs?: number;
  /** This node's roles, announced with its snapshots for the admin dashboard. Default `["gateway"]`. */
  readonly roles?: readonly string[];
}

/** A node without a gateway says where its ops routes listen (ops-beacon.ts); `bye` when it stops. */
export interface BeaconRecord {
  readonly node: string;
  readonly ops: { readonly url: string; readonly roles: readonly string[] };
  readonly bye?: true;
}

/** What a snapshot record carries besides the presence entries. */
interface SnapshotRecord extends PresenceSnapshot {
  readonly url?: string;
  readonly roles?: readonly string[];
  readonly bye?: true;
}

/** ClusterPresence, ClusterTyping, ClusterDisconnect and the NodeDirectory plus their Kafka transport and timers. */
export class PresenceLink {
  readonly nodeId = randomBytes(6).toString("base64url");
  readonly presence: ClusterPresence;
  readonly typing: ClusterTyping;
  readonly disconnects: ClusterDisconnect;
  /** The gateways, where SSE POSTs may be forwarded. */
  readonly nodes: NodeDirectory;
  /** The nodes without a gateway, as their beacons announce them (ops-beacon.ts): for the admin dashboard only. */
  readonly opsNodes: NodeDirectory;
  private readonly topic: string;
  private producer: Producer<string, string, string, string> | undefined;
  private consumer: Consumer | undefined;
  private reader: ResumingStream | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly roles: readonly string[];

  constructor(private readonly options: PresenceLinkOptions) {
    this.topic = `${options.topicPrefix}presence`;
    const nodeTimeoutMs = options.nodeTimeoutMs ?? 8000;
    this.presence = new ClusterPresence({
      nodeId: this.nodeId,
      publish: (s) => this.send({ ...s, ...(this.nodes.selfUrl && { url: this.nodes.selfUrl, roles: this.roles }) }),
      nodeTimeoutMs,
      publishDelayMs: PUBLISH_DELAY_MS,
    });
    this.nodes = new NodeDirectory({ nodeId: this.nodeId, nodeTimeoutMs });
    this.opsNodes = new NodeDirectory({ nodeId: this.nodeId, nodeTimeoutMs });
    this.roles = options.roles ?? ["gateway"];
    this.typing = new ClusterTyping({ nodeId: this.nodeId, publish: (b) => this.send(b) });
    this.disconnects = new ClusterDisconnect({ nodeId: this.nodeId, publish: (r) => this.write(r) });
  }

  /** Creates the topic if missing, starts reading it, and starts the heartbeat. */
  async start(): Promise<void> {
    const { brokers, logger } = this.options;
    await ensurePresenceTopic([...brokers], this.topic, this.options.replication ?? 1);
    this.producer = new Producer({
      clientId: `parley-presence-${this.nodeId}`,
      bootstrapBrokers: [...brokers],
      serializers: stringSerializers,
    });
    this.consumer = new Consumer({
      groupId: `${this.options.topicPrefix}presence.${this.nodeId}`,
      clientId: `parley-presence-${this.nodeId}`,
      bootstrapBrokers: [...brokers],
    });
    // A stream dies with a fetch that failed past its retries (a broker restart): it must be reopened, or this
    // gateway goes deaf to the others (no URLs for SSE forwards, stale presence) until it restarts.
    this.reader = new ResumingStream({
      consumer: this.consumer,
      topics: [this.topic],
      mode: "latest",
      name: "presence",
      logger,
      onMessage: (m) => this.onMessage(m),
    });
    await this.reader.open();
    const heartbeat = setInterval(() => this.presence.publishSnapshot(), this.options.heartbeatMs ?? 2000);
    const expiry = setInterval(() => (this.presence.expire(), this.nodes.expire(), this.opsNodes.expire()), 1000);
    this.timers = [heartbeat, expiry];
    for (const t of this.timers) t.unref();
    this.presence.publishSnapshot();
  }

  /** Announces where this node's gateway listens (once it does), so the others can forward SSE POSTs to it. */
  advertise(url: string): void {
    this.nodes.selfUrl = url;
    this.presence.publishSnapshot();
  }

  /** Tells the others this node is gone (an empty snapshot saying `bye`), then stops. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.presence.stop();
    this.typing.stop();
    await this.producer
      ?.send({
        messages: [{ topic: this.topic, key: this.nodeId, value: JSON.stringify(this.goodbye()) }],
      })
      .catch(() => undefined);
    await this.reader?.close();
    const consumer = this.consumer;
    if (consumer) await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
    await this.producer?.close().catch(() => undefined);
  }

  private goodbye(): SnapshotRecord {
    return { node: this.nodeId, entries: [], bye: true };
  }

  private send(record: SnapshotRecord | TypingBatch): void {
    // Best effort: a lost snapshot is repeated by the next heartbeat; a lost typing batch is lost.
    this.write(record).catch((err: unknown) => this.options.logger.debug({ err }, "presence link publish failed"));
  }

  /** Writes one record; resolves once the broker has it. */
  private async write(record: SnapshotRecord | TypingBatch | DisconnectRecord): Promise<void> {
    if (!this.producer) throw new Error("the presence link is not started");
    await this.producer.send({ messages: [{ topic: this.topic, key: this.nodeId, value: JSON.stringify(record) }] });
  }

  /** Our own snapshots come back too; their key says so before any parsing (they were a storm's biggest cost). */
  private onMessage(m: RawMessage): void {
    if (m.value && m.key?.toString() !== this.nodeId) this.receive(m.value.toString());
  }

  private receive(value: string): void {
    try {
      const r = JSON.parse(value) as Partial<SnapshotRecord & TypingBatch & DisconnectRecord & BeaconRecord> | null;
      if (typeof r?.node !== "string") return;
      if (r.ops) this.beacon({ ...r, node: r.node, ops: r.ops });
      else if (Array.isArray(r.entries)) this.snapshot({ ...r, node: r.node, entries: r.entries });
      else if (Array.isArray(r.typing)) this.typing.apply({ node: r.node, typing: r.typing });
      else if (r.disconnect) this.disconnects.apply(r);
    } catch {
      // Not ours or corrupt: presence is best effort, never fatal.
    }
  }

  private snapshot(r: SnapshotRecord): void {
    this.presence.apply({ node: r.node, entries: r.entries });
    if (r.bye) return this.nodes.forget(r.node);
    // A newcomer learns the others' URLs from their heartbeats; answering at once spares it up to one heartbeat of 404s.
    if (typeof r.url === "string" && this.nodes.heard(r.node, r.url, rolesOf(r.roles)) && this.nodes.selfUrl) {
      this.presence.publishSnapshot();
    }
  }

  /** A node without a gateway announced itself, or said goodbye. */
  private beacon(r: BeaconRecord): void {
    if (r.bye) return this.opsNodes.forget(r.node);
    if (typeof r.ops.url === "string") this.opsNodes.heard(r.node, r.ops.url, rolesOf(r.ops.roles) ?? []);
  }
}

/** Roles as a record carries them: a list of strings, else undefined (a gateway's default applies). */
function rolesOf(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((r) => typeof r === "string") ? value : undefined;
}

/** Creates the presence topic unless it exists (every node that writes to it calls this first). */
export async function ensurePresenceTopic(brokers: string[], topic: string, replicas: number): Promise<void> {
  const admin = new Admin({ clientId: "parley-presence-admin", bootstrapBrokers: brokers });
  try {
    if ((await admin.listTopics()).includes(topic)) return;
    await admin
      .createTopics({
        topics: [topic],
        partitions: 1,
        replicas,
        configs: [
          { name: "retention.ms", value: "60000" },
          { name: "segment.ms", value: "60000" },
        ],
      })
      .catch((err: unknown) => {
        // Another node created it first: fine. (findBy is called as a method: it reads `this`.)
        const e = err as { findBy?: (k: string, v: string) => unknown };
        if (!e.findBy?.("apiId", "TOPIC_ALREADY_EXISTS") && !/exist/i.test(String(err))) throw err;
      });
  } finally {
    await admin.close();
  }
}
