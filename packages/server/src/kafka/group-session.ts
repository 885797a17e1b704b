/**
 * The consumer-group session of sequencers and sinks: how soon the group
 * notices a dead member (kill -9, lost host) and gives its partitions to
 * another. docs/cluster.md, "Failover", has the trade-off.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Consumer } from "@platformatic/kafka";
import { closeForced } from "./close-client.js";

/** Pause between two joins of a member that lost its group while the broker is still away. */
const REJOIN_RETRY_MS = 1_000;

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
  keepInGroup(group, options);
  return group;
}

/** Groups being left on purpose (leaveAssignmentGroup): they must not be joined again. */
const leaving = new WeakSet<Consumer>();

/**
 * Joins the group again whenever the client library stopped being a member without telling anyone: after a
 * heartbeat that failed for a reason other than a rebalance (the broker restarting: connection refused),
 * @platformatic/kafka 1.35 cancels the heartbeat timer and never sets it again, and when its own rejoin fails
 * it gives up. The broker expels the silent member after the session timeout and hands its partitions to
 * others, while the member goes on working the old assignment forever: two sequencers on one partition,
 * fencing each other in turn (the cluster chaos run's broker restart found it). A join brings the current
 * assignment (onAssignment), and is tried again until it succeeds or the group is left.
 */
function keepInGroup(group: Consumer, options: AssignmentGroupOptions): void {
  let rejoining = false;
  let joinedAt = 0;
  let failedAt = 0;
  const rejoin = async (): Promise<void> => {
    if (rejoining) return;
    rejoining = true;
    try {
      while (!leaving.has(group) && !group.closed) {
        try {
          await joinAssignmentGroup(group, options);
          return;
        } catch (err) {
          options.onError(err);
          await sleep(REJOIN_RETRY_MS);
        }
      }
    } finally {
      rejoining = false;
    }
  };
  group.on("consumer:group:join", () => (joinedAt = Date.now()));
  group.on("consumer:heartbeat:error", () => void rejoin());
  // The library's own rejoin ended: in failure when an error came after the last join.
  group.on("error", () => (failedAt = Date.now()));
  group.on("consumer:rejoin", () => failedAt >= joinedAt && void rejoin());
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
  if (group) leaving.add(group);
  if (group) await new Promise<void>((resolve) => group.leaveGroup(true, () => resolve()));
  await closeForced(group);
}
