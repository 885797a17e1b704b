/**
 * Kafka topics of cluster mode and their creation. Three topics share one
 * partition count and the room-id partitioning, so a room's commands, events
 * and sequencer state always sit in the same partition number:
 * - `<prefix>commands`: PublishCommands from gateways (idempotent producer).
 * - `<prefix>events`: sequenced events and duplicate markers (transactional).
 * - `<prefix>sequencer-state`: compacted room heads, the sequencer changelog.
 * - `<prefix>sequencer-owners`: compacted, which sequencer instance owns each
 *   partition (kafka/sequencer/ownership.ts): whom a new owner must fence.
 */
import { createHash } from "node:crypto";
import { Admin, murmur2 } from "@platformatic/kafka";

/** How to reach Kafka and name and size Parley's topics. */
export interface KafkaClusterOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  /** Prefix of topic and consumer-group names. Default `parley.`. */
  readonly topicPrefix?: string;
  /** Partitions of each topic when created. Default 12. */
  readonly partitions?: number;
  /** Replication factor when created. Default 1. */
  readonly replication?: number;
  /** Client id prefix seen in broker logs. Default `parley`. */
  readonly clientId?: string;
}

/** The resolved topic names. */
export interface TopicNames {
  readonly commands: string;
  readonly events: string;
  readonly state: string;
  readonly owners: string;
}

/** What ensureTopics found or created. */
export interface TopicLayout {
  readonly names: TopicNames;
  readonly partitions: number;
  /** The events topic's id: it changes when the topic is recreated, and so do room epochs. */
  readonly eventsTopicId: string;
}

/** Topic names for a prefix. */
export function topicNames(prefix = "parley."): TopicNames {
  return {
    commands: `${prefix}commands`,
    events: `${prefix}events`,
    state: `${prefix}sequencer-state`,
    owners: `${prefix}sequencer-owners`,
  };
}

/**
 * The partition of a room: murmur2 of the UTF-8 room id, as Kafka's Java
 * default partitioner computes it, so other producers agree with Parley.
 */
export function partitionFor(room: string, partitions: number): number {
  return (murmur2(Buffer.from(room, "utf8")) & 0x7fffffff) % partitions;
}

/**
 * A room's epoch: derived from the events topic's id, so every gateway and
 * sequencer computes the same value without storing one per room, it
 * survives restarts, and it changes when the events topic is recreated.
 */
export function roomEpoch(eventsTopicId: string, room: string): string {
  return createHash("sha256").update(`${eventsTopicId}\u0000${room}`).digest("base64url").slice(0, 12);
}

/** Creates the topics that are missing; checks that all of them have the same partition count. */
export async function ensureTopics(options: KafkaClusterOptions): Promise<TopicLayout> {
  const names = topicNames(options.topicPrefix);
  const admin = new Admin({
    clientId: `${options.clientId ?? "parley"}-admin`,
    bootstrapBrokers: [...options.brokers],
  });
  try {
    const wanted = { partitions: options.partitions ?? 12, replicas: options.replication ?? 1 };
    const existing = new Set(await admin.listTopics());
    const create = async (topic: string, configs: { name: string; value: string }[]) => {
      if (existing.has(topic)) return;
      await createTopic(admin, topic, { ...wanted, configs });
    };
    await create(names.commands, []);
    await create(names.events, []);
    await create(names.state, [{ name: "cleanup.policy", value: "compact" }]);
    await create(names.owners, [{ name: "cleanup.policy", value: "compact" }]);
    const all = [names.commands, names.events, names.state, names.owners];
    const metadata = await admin.metadata({ topics: all, forceUpdate: true });
    const counts = all.map((t) => metadata.topics.get(t)?.partitionsCount);
    if (new Set(counts).size !== 1 || counts[0] === undefined) {
      throw new Error(`Kafka topics ${Object.values(names).join(", ")} must have one partition count; found ${counts}`);
    }
    const eventsTopicId = metadata.topics.get(names.events)?.id ?? "";
    return { names, partitions: counts[0], eventsTopicId };
  } finally {
    await admin.close();
  }
}

/** How a topic is created. */
export interface TopicSpec {
  readonly partitions: number;
  readonly replicas: number;
  readonly configs: { name: string; value: string }[];
}

/** Creates `topic`; one that another process created meanwhile is fine. */
async function createTopic(admin: Admin, topic: string, spec: TopicSpec): Promise<void> {
  try {
    await admin.createTopics({ topics: [topic], ...spec });
  } catch (err) {
    if (!(err as { findBy?: (k: string, v: string) => unknown }).findBy?.("apiId", "TOPIC_ALREADY_EXISTS")) throw err;
  }
}

/** Creates `topic` unless it exists (the routing topics: backchannel and per-gateway forward topics). */
export async function ensureTopic(options: KafkaClusterOptions, topic: string, spec: TopicSpec): Promise<void> {
  const admin = new Admin({
    clientId: `${options.clientId ?? "parley"}-admin`,
    bootstrapBrokers: [...options.brokers],
  });
  try {
    if (!(await admin.listTopics()).includes(topic)) await createTopic(admin, topic, spec);
  } finally {
    await admin.close();
  }
}

/** Deletes `topic`, best effort (a gateway's forward topic when it stops). */
export async function deleteTopic(options: KafkaClusterOptions, topic: string): Promise<void> {
  const admin = new Admin({
    clientId: `${options.clientId ?? "parley"}-admin`,
    bootstrapBrokers: [...options.brokers],
  });
  try {
    await admin.deleteTopics({ topics: [topic] });
  } catch {
    // Already gone, or the broker is away: the topic's retention bounds what it keeps.
  } finally {
    await admin.close();
  }
}
