/**
 * A short cluster chaos run with redistributed routing and kafka forwarding
 * (each gateway's events come over its own forward topic): the faults of the cluster run plus kill -9 of a redistributor, a
 * redistributor rebalance (a third joins, then leaves gracefully) and a
 * restart of the cluster's own Kafka broker, for about a minute; then the
 * history checker on both copies, deliveries on every gateway, and no killed
 * gateway's lease still counted by a redistributor (assertions: cluster-short.ts).
 * Needs PARLEY_TEST_PG_URL and Kafka's jars (scripts/kafka/start.sh starts the
 * broker); fails, never skips, without them.
 */
import { test } from "node:test";
import { REDISTRIBUTED_LENGTH, REDISTRIBUTED_SHORT, runClusterShort } from "./cluster-short.js";

test(
  "chaos (cluster, redistributed routing, kafka forwarding, short): no acked message lost, duplicated or reordered under redistributor, broker, process and network faults",
  { timeout: 360_000 },
  (t) => runClusterShort(t, { ...REDISTRIBUTED_SHORT, forwarding: "kafka" }, REDISTRIBUTED_LENGTH),
);
