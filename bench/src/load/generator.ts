import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mergeHistograms, summarize, type LatencySummary } from "../histogram.js";
import type { SystemName } from "../wire/wire.js";
import type { ConnSpec, OpenResult, ResumeResult, WorkerCommand, WorkerReport } from "./messages.js";

const WORKER = fileURLToPath(new URL("./worker.js", import.meta.url));
/** Loopback source addresses: spreading connections over them keeps each (src, dst) pair well below the port range. */
const ADDRS = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/**
 * The port connection `i` uses: gateway (i + ⌊i / 100⌋) mod G. Consecutive connections alternate, so a
 * room of 100 (connections 100r…100r+99) and a DM pair (2k, 2k+1) span the gateways, and the shift per
 * hundred puts the publishers of consecutive rooms (connection 100r) on alternating gateways too.
 */
export function portFor(i: number, ports: readonly number[]): number {
  const port = ports[(i + Math.floor(i / 100)) % ports.length];
  if (port === undefined) throw new Error("open needs at least one port");
  return port;
}

/** The port of gateway `g` (a spec that names its gateway). */
function portAt(g: number, ports: readonly number[]): number {
  const port = ports[g];
  if (port === undefined) throw new Error(`no gateway ${g} among ${ports.length} ports`);
  return port;
}

/** One worker process and its request/response channel. */
class WorkerHandle {
  private rid = 0;
  private readonly pending = new Map<number, Pending>();
  constructor(readonly child: ChildProcess) {
    child.on("message", (m: { rid: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.rid);
      this.pending.delete(m.rid);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
    child.on("exit", () => {
      for (const p of this.pending.values()) p.reject(new Error("load worker exited"));
      this.pending.clear();
    });
  }
  call<T>(cmd: WorkerCommand): Promise<T> {
    const rid = ++this.rid;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(rid, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...cmd, rid });
    });
  }
}

/** Totals of one measured window, over every worker. */
export interface WindowReport {
  delivered: number;
  acked: number;
  latency: LatencySummary;
  ack: LatencySummary;
  failures: string[];
}

/**
 * The load generator: connections spread round-robin over worker processes
 * (connection i lives in worker i % n), so each room's members span workers.
 */
export class Generator {
  private readonly workers: WorkerHandle[];

  constructor(workers: number) {
    this.workers = Array.from(
      { length: workers },
      () => new WorkerHandle(fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] })),
    );
  }

  /**
   * Opens `specs` on `system` at `ports` (one port, or a split cluster's gateways: see portFor); the
   * returned totals say how many subscribed.
   */
  async open(
    system: SystemName,
    ports: number | readonly number[],
    specs: ConnSpec[],
    concurrency = 200,
  ): Promise<OpenResult> {
    const n = this.workers.length;
    const all = typeof ports === "number" ? [ports] : ports;
    const ported = specs.map((s, i) => ({
      ...s,
      port: s.gateway === undefined ? portFor(i, all) : portAt(s.gateway, all),
    }));
    const results = await Promise.all(
      this.workers.map((wk, w) =>
        wk.call<OpenResult>({
          op: "open",
          system,
          addrs: ADDRS,
          conns: ported.filter((_, i) => i % n === w),
          concurrency,
        }),
      ),
    );
    return {
      ok: results.reduce((a, r) => a + r.ok, 0),
      failed: results.reduce((a, r) => a + r.failed, 0),
      ms: Math.max(...results.map((r) => r.ms)),
    };
  }

  /** Starts a measured window: only messages published from now on count. */
  async measure(): Promise<void> {
    const sinceUs = Number(process.hrtime.bigint() / 1000n);
    await Promise.all(this.workers.map((w) => w.call({ op: "measure", sinceUs })));
  }

  /** Publishes `rate` msg/s in total for `ms` from the connections with global indexes `pubs` (bodies of ≥ `bodyBytes`). */
  async publish(pubs: number[], rate: number, ms: number, bodyBytes?: number): Promise<number> {
    const local = this.localPubs(pubs);
    const total = pubs.length || 1;
    const sent = await Promise.all(
      local.map(({ worker, pubs }) =>
        pubs.length === 0
          ? Promise.resolve({ sent: 0 })
          : worker.call<{ sent: number }>({ op: "publish", pubs, rate: (rate * pubs.length) / total, ms, bodyBytes }),
      ),
    );
    return sent.reduce((a, s) => a + s.sent, 0);
  }

  /** Each connection in `pubs` keeps `window` publishes awaiting their ack, for `ms`. */
  async closedLoop(pubs: number[], window: number, ms: number): Promise<number> {
    const local = this.localPubs(pubs);
    const sent = await Promise.all(
      local.map(({ worker, pubs }) => worker.call<{ sent: number }>({ op: "closed-loop", pubs, window, ms })),
    );
    return sent.reduce((a, s) => a + s.sent, 0);
  }

  async report(): Promise<WindowReport> {
    const reports = await Promise.all(this.workers.map((w) => w.call<WorkerReport>({ op: "report" })));
    return {
      delivered: reports.reduce((a, r) => a + r.delivered, 0),
      acked: reports.reduce((a, r) => a + r.acked, 0),
      latency: summarize(mergeHistograms(reports.map((r) => r.latency))),
      ack: summarize(mergeHistograms(reports.map((r) => r.ack))),
      failures: reports.flatMap((r) => r.failures).slice(0, 10),
    };
  }

  /** Every client closes its connection; resume positions are kept. */
  async drop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ op: "drop" })));
  }

  /** Highest seq seen per room, over every worker. */
  async heads(): Promise<Record<string, number>> {
    const all = await Promise.all(this.workers.map((w) => w.call<Record<string, number>>({ op: "heads" })));
    const out: Record<string, number> = {};
    for (const h of all) for (const [room, seq] of Object.entries(h)) out[room] = Math.max(out[room] ?? 0, seq);
    return out;
  }

  /** All clients reconnect at once with their positions; resolves with the slowest catch-up. */
  async resume(targets: Record<string, number>, timeoutMs: number): Promise<ResumeResult> {
    const all = await Promise.all(this.workers.map((w) => w.call<ResumeResult>({ op: "resume", targets, timeoutMs })));
    const sum = (f: (r: ResumeResult) => number) => all.reduce((a, r) => a + f(r), 0);
    const max = (f: (r: ResumeResult) => number) => Math.max(...all.map(f));
    return {
      caughtUp: sum((r) => r.caughtUp),
      total: sum((r) => r.total),
      maxMs: max((r) => r.maxMs),
      p50Ms: max((r) => r.p50Ms),
      p99Ms: max((r) => r.p99Ms),
    };
  }

  /** Stops every worker (they close their sockets by exiting). */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null) return resolve();
            w.child.once("exit", () => resolve());
            w.call({ op: "exit" }).catch(() => {});
            setTimeout(() => (w.child.kill("SIGKILL"), resolve()), 5_000).unref();
          }),
      ),
    );
  }

  /** Each worker with its share of `pubs`, as indexes into that worker's own connections. */
  private localPubs(pubs: number[]): { worker: WorkerHandle; pubs: number[] }[] {
    const n = this.workers.length;
    return this.workers.map((worker, w) => ({
      worker,
      pubs: pubs.filter((i) => i % n === w).map((i) => Math.floor(i / n)),
    }));
  }
}
