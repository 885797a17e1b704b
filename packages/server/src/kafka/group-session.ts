/**
 * The consumer-group session of sequencers and sinks: how soon the group
 * notices a dead member (kill -9, lost host) and gives its partitions to
 * another. docs/cluster.md, "Failover", has the trade-off.
 */

/** A join error made actionable when the broker refuses the session length; any other error as it was. */
export function explainSessionRefusal(err: unknown, sessionTimeoutMs: number): unknown {
  const found = (err as { findBy?: (k: string, v: unknown) => unknown })?.findBy?.("apiId", "INVALID_SESSION_TIMEOUT");
  if (!found) return err;
  return new Error(
    `the Kafka broker refuses a consumer-group session of ${sessionTimeoutMs} ms (outside its group.min.session.timeout.ms … group.max.session.timeout.ms; Kafka's default minimum is 6000): lower the broker's group.min.session.timeout.ms to at most ${sessionTimeoutMs} (scripts/kafka/start.sh and docker-compose.yml do), or raise --kafka-session-timeout-ms, which makes a dead node's partitions wait that long`,
    { cause: err },
  );
}
