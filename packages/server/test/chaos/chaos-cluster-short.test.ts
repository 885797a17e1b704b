/**
 * A short cluster chaos run in the test suite: ~45 s of kill -9 on gateways,
 * sequencers and the sink, a sequencer paused past its session timeout (a
 * zombie), proxy drops, stalls and mid-frame cuts between clients and three
 * gateways, WebSocket and SSE clients of the SDK mixed (the SSE ones through
 * a round-robin balancer: no sticky sessions), then the history checker on
 * the gateway's and PostgreSQL's copy (assertions: cluster-short.ts).
 * Needs PARLEY_TEST_KAFKA and PARLEY_TEST_PG_URL (npm test sets both); fails,
 * never skips, without them.
 */
import { test } from "node:test";
import { runClusterShort } from "./cluster-short.js";

/** Faster than the long run's, so every kind is injected within 45 s. */
const TIMINGS = {
  gatewayKillEveryMs: [4_000, 8_000],
  sequencerKillEveryMs: [5_000, 9_000],
  sequencerPauseEveryMs: [5_000, 9_000],
  sinkKillEveryMs: [5_000, 9_000],
  sinkDownMs: [1_000, 4_000],
} as const;

test(
  "chaos (cluster, short): no acked message lost, duplicated or reordered under process and network faults",
  { timeout: 240_000 },
  (t) => runClusterShort(t, TIMINGS, { durationMs: 45_000, maxMs: 110_000 }),
);
