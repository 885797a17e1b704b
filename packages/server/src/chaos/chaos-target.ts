/**
 * What the chaos scenario runs against. The embedded target is one server
 * process behind a fault proxy; a cluster target (after the Kafka event log
 * lands) implements the same interface with more faults: kill gateways,
 * sequencers and the sink, pause a sequencer past its session timeout,
 * restart the broker. The workload and the checker do not change.
 */

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
  readonly faults: readonly Fault[];
  /** Brings every component back up once the fault phase is over. */
  heal(): Promise<void>;
  /** Stops everything and removes temporary data. */
  stop(): Promise<void>;
  /** Recent server output, for a failed run's report. */
  diagnostics(): string;
}
