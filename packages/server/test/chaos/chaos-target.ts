/**
 * What the chaos scenario runs against. The embedded target is one server
 * process behind a fault proxy; the cluster target (cluster-target.ts)
 * implements the same interface with more faults: kill gateways, sequencers
 * and the sink, pause a sequencer past its session timeout. The workload and
 * the checker do not change.
 */
import type { RoomHistory } from "./history.js";

/** One kind of fault, injected again and again at random intervals. */
export interface Fault {
  readonly name: string;
  /** Pause between two injections, drawn uniformly from [min, max] ms. */
  readonly everyMs: readonly [number, number];
  /** Injects once; resolves false when there was nothing to hit (e.g. no connection to drop). */
  inject(): Promise<boolean>;
}

/** A system under test. */
export interface ChaosTarget {
  readonly name: string;
  /** The HS256 secret its tokens are signed with. */
  readonly jwtSecret: string;
  /** Where workload client `index` connects (through the fault proxies). */
  clientUrl(index: number): string;
  /** A URL with no fault in between, for the final history read. */
  directUrl(): string;
  /**
   * Where SDK clients on SSE connect (a WebSocket-style URL the SDK derives
   * its SSE URL from): a round-robin balancer over every gateway, no sticky
   * sessions. Absent: the run has no SSE clients.
   */
  sseUrl?(): string;
  readonly faults: readonly Fault[];
  /** Brings every component back up once the fault phase is over. */
  heal(): Promise<void>;
  /** Stops everything and removes temporary data. */
  stop(): Promise<void>;
  /**
   * The cluster's durable store (PostgreSQL, written by the sink) is a second
   * copy of history that gateways do not fully read from (they prefer their
   * recent buffer): waits until it holds as many events as `gatewayRooms`,
   * then returns it, checked like the gateway's copy. Absent: one copy only.
   */
  storedHistories?(gatewayRooms: readonly RoomHistory[]): Promise<RoomHistory[]>;
  /**
   * Figures of the target's own, read once the run has settled (the cluster's: events delivered per gateway,
   * redistributors' live leases), printed in the report for the tests to assert on. Absent: none.
   */
  findings?(): Promise<Record<string, number>>;
  /** Recent server output, for a failed run's report. */
  diagnostics(): string;
}
