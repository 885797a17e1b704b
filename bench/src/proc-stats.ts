import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (CLK_TCK is 100 on Linux x86 and arm64). */
const TICK_US = 10_000;

/** User + system CPU time of `pid` in µs, from /proc/<pid>/stat (0 when the process is gone). */
export function cpuUs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** Resident set size of `pid` in KiB, from /proc/<pid>/status. */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Samples a server's RSS every 250 ms (to find the peak) and measures CPU over a window; a system of
 * several processes (a split cluster) is measured as their sum.
 */
export class ProcSampler {
  private readonly pids: readonly number[];
  private cpu0: number[] = [];
  private t0 = 0;
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(pids: number | readonly number[]) {
    this.pids = typeof pids === "number" ? [pids] : pids;
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, this.rss())), 250);
    this.timer.unref();
    this.start();
  }

  start(): void {
    this.cpu0 = this.pids.map(cpuUs);
    this.t0 = performance.now();
  }

  /** CPU µs since start per process, in the order of the pids given. */
  cpuByProcess(): number[] {
    return this.pids.map((pid, i) => cpuUs(pid) - (this.cpu0[i] ?? 0));
  }

  /** CPU µs since start (summed over the processes), wall ms since start, and the share of one core used. */
  window(): { cpuUs: number; wallMs: number; cores: number } {
    const used = this.cpuByProcess().reduce((a, us) => a + us, 0);
    const wallMs = performance.now() - this.t0;
    return { cpuUs: used, wallMs, cores: Math.round((used / 1000 / wallMs) * 100) / 100 };
  }

  peakRssKiB(): number {
    return Math.max(this.peak, this.rss());
  }

  private rss(): number {
    return this.pids.reduce((a, pid) => a + rssKiB(pid), 0);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
