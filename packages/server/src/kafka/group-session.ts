/**
 * The consumer-group session of sequencers and sinks: how soon the group
 * notices a dead member (kill -9, lost host) and gives its partitions to
 * another. docs/cluster.md, "Failover", has the trade-off.
 */
import { Consumer } from "@platformatic/kafka";
import { closeForced } from "./close-client.js";

/** A join error made actionable when the broker refuses the session length; any other error as it was. */
export function explainSessionRefusal(err: unknown, sessionTimeoutMs: number): unknown {
  const found = (err as { findBy?: (k: string, v: unknown) => unknown })?.findBy?.("apiId", "INVALID_SESSION_TIMEOUT");
  if (!found) return err;
  return new Error(
    `the Kafka broker refuses a consumer-group session of ${sessionTimeoutMs} ms (outside its group.min.session.timeout.ms … group.max.session.timeout.ms; Kafka's default minimum is 6000): lower the broker's group.min.session.timeout.ms to at most ${sessionTimeoutMs} (scripts/kafka/start.sh and docker-compose.yml do), or raise --kafka-session-timeout-ms, which makes a dead node's partitions wait that long`,
    { cause: err },
  );
}

/** A member of a group that only assigns partitions: the member fetches them itself, at offsets it chooses. */
export interface AssignmentGroupOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly clientId: string;
  /** The topic whose partitions the group shares. */
  readonly topic: string;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Every (re)assignment, as the group hands it out. */
  readonly onAssignment: (assignments: readonly { topic: string; partitions: number[] }[]) => void;
  readonly onError: (err: unknown) => void;
}

/** The group's client, not joined yet (joinAssignmentGroup): keep it before joining, assignments arrive during the join. */
export function assignmentGroup(options: AssignmentGroupOptions): Consumer {
  const group = new Consumer({
    clientId: options.clientId,
    groupId: options.groupId,
    bootstrapBrokers: [...options.brokers],
    sessionTimeout: options.sessionTimeoutMs,
    heartbeatInterval: options.heartbeatIntervalMs,
    rebalanceTimeout: options.sessionTimeoutMs,
  });
  group.on("consumer:group:join", (payload) => options.onAssignment(payload.assignments ?? []));
  group.on("error", options.onError);
  group.topics.track(options.topic);
  return group;
}

/** Joins; a refused session length fails with what to change (explainSessionRefusal). */
export async function joinAssignmentGroup(group: Consumer, options: AssignmentGroupOptions): Promise<void> {
  const sessionTimeout = options.sessionTimeoutMs;
  await group
    .joinGroup({ sessionTimeout, heartbeatInterval: options.heartbeatIntervalMs, rebalanceTimeout: sessionTimeout })
    .catch((err: unknown) => Promise.reject(explainSessionRefusal(err, sessionTimeout)));
}

/** Leaves the group, so another member takes over at once, and closes the client. */
export async function leaveAssignmentGroup(group: Consumer | undefined): Promise<void> {
  if (group) await new Promise<void>((resolve) => group.leaveGroup(true, () => resolve()));
  await closeForced(group);
}
