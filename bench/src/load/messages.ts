import type { SystemName } from "../wire/wire.js";

/** One connection the generator opens: user name and the room it joins. */
export interface ConnSpec {
  readonly user: string;
  readonly room: string;
  /** Which of the ports given to `open` it connects to; default: Generator's portFor spreading. */
  readonly gateway?: number;
}

/** A connection as a worker opens it: the spec and the server port it connects to. */
export interface PortedSpec extends ConnSpec {
  readonly port: number;
}

/** Commands from the runner to a load worker; each carries a request id that the reply repeats. */
export type WorkerCommand =
  | { op: "open"; system: SystemName; addrs: string[]; conns: PortedSpec[]; concurrency: number }
  | { op: "measure"; sinceUs: number }
  | { op: "publish"; pubs: number[]; rate: number; ms: number; bodyBytes?: number }
  | { op: "closed-loop"; pubs: number[]; window: number; ms: number }
  | { op: "report" }
  | { op: "drop" }
  | { op: "resume"; targets: Record<string, number>; timeoutMs: number }
  | { op: "heads" }
  | { op: "exit" };

export type WorkerRequest = WorkerCommand & { rid: number };

/** Histograms travel as hdr-histogram-js compressed base64. */
export interface WorkerReport {
  delivered: number;
  acked: number;
  latency: string;
  ack: string;
  failures: string[];
}

export interface OpenResult {
  ok: number;
  failed: number;
  ms: number;
}

export interface ResumeResult {
  caughtUp: number;
  total: number;
  /** Time from the reconnect command to each client's catch-up, in ms: the slowest one. */
  maxMs: number;
  p50Ms: number;
  p99Ms: number;
}
