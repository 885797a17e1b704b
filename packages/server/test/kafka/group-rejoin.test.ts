/**
 * A member of an assignment group (sequencers, redistributors) stays a member
 * across a broker restart. Before group-session.ts joined again by itself, a
 * heartbeat refused by the restarting broker stopped the client library's
 * heartbeats for good: the broker expelled the member, a newcomer got every
 * partition, and the old member kept its assignment, never told (the
 * redistributed cluster chaos run's broker restart found it: two sequencers
 * fencing each other over one partition). Runs its OWN broker, so the shared
 * one is never restarted; fails, never skips, when it cannot start.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Consumer } from "@platformatic/kafka";
import { assignmentGroup, joinAssignmentGroup, leaveAssignmentGroup } from "#server/kafka/group-session.js";
import { createTestTopics, OwnBroker, uniquePrefix } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";

const PARTITIONS = 4;
const SESSION_MS = 3_000;

let broker: OwnBroker | undefined;
before(async () => {
  broker = await OwnBroker.start();
});
after(async () => {
  await broker?.purge();
});

/** A member and the partitions of its latest assignment. */
async function member(topic: string, name: string): Promise<{ group: Consumer; owned: () => number[] }> {
  let owned: number[] = [];
  const options = {
    brokers: [broker!.bootstrap],
    groupId: `${topic}-group`,
    clientId: `${topic}-${name}`,
    topic,
    sessionTimeoutMs: SESSION_MS,
    heartbeatIntervalMs: 300,
    onAssignment: (a: readonly { topic: string; partitions: number[] }[]) =>
      (owned = a.filter((x) => x.topic === topic).flatMap((x) => x.partitions)),
    onError: () => undefined,
  };
  const group = assignmentGroup(options);
  await joinAssignmentGroup(group, options);
  return { group, owned: () => [...owned].sort() };
}

test(
  "after a broker restart, a group member joins again: it and a newcomer share the partitions, none owned twice",
  { timeout: 240_000 },
  async () => {
    const topic = `${uniquePrefix("rejoin")}commands`;
    await createTestTopics([broker!.bootstrap], [topic], PARTITIONS);
    const old = await member(topic, "old");
    let newcomer: Awaited<ReturnType<typeof member>> | undefined;
    try {
      assert.deepEqual(old.owned(), [0, 1, 2, 3]);
      await broker!.restart();
      newcomer = await member(topic, "new");
      const split = () => {
        const [a, b] = [old.owned(), newcomer!.owned()];
        return a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === "0,1,2,3";
      };
      await waitUntil(split, `both members to share the ${PARTITIONS} partitions, none owned twice`, 60_000);
    } finally {
      await leaveAssignmentGroup(newcomer?.group);
      await leaveAssignmentGroup(old.group);
    }
  },
);
