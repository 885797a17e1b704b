import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (CLK_TCK is 100 on Linux x86 and arm64). */
const TICK_US = 10_000;

/** User + system CPU time of `pid` in µs, from /proc/<pid>/stat (0 when the process is gone). */
export function cpuUs(pid: number): number {
  return statCpuUs(`/proc/${pid}/stat`);
}

/** The same for one thread: `pid` itself is the process's main thread (its event loop, for Node). */
export function threadCpuUs(pid: number, tid: number): number {
  return statCpuUs(`/proc/${pid}/task/${tid}/stat`);
}

/**
 * Busy CPU of the whole machine in µs, every core summed (user, nice, system, irq, softirq from the first
 * line of /proc/stat): every process on the box, the generator, broker and kernel included. Steal (the
 * hypervisor running someone else) is not this machine's work and is left out.
 */
export function machineCpuUs(): number {
  const first = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [user, nice, system, , , irq, softirq] = first.trim().split(/\s+/).slice(1).map(Number);
  return [user, nice, system, irq, softirq].reduce<number>((a, t) => a + (t ?? 0), 0) * TICK_US;
}

function statCpuUs(path: string): number {
  try {
    const stat = readFileSync(path, "utf8");
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * TICK_US;
  } catch {
    return 0;
  }
}

/** The JVM's JIT compiler threads (HotSpot names them "C1 CompilerThre…" and "C2 CompilerThre…"). */
const JIT_THREAD = /^C[12] CompilerThre/;

/**
 * CPU µs of a JVM's JIT compiler threads so far: a fresh broker compiles its hot paths for minutes (its C2
 * thread used more CPU than any request thread, docs/performance.md), a one-time cost the per-ack figures
 * report apart. Threads that ended are no longer counted.
 */
export function jitCpuUs(pid: number): number {
  let sum = 0;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      if (JIT_THREAD.test(readFileSync(`/proc/${pid}/task/${tid}/comm`, "utf8"))) sum += threadCpuUs(pid, Number(tid));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return sum;
}

/** Bytes `pid` has caused to be written to storage so far (write_bytes of /proc/<pid>/io; 0 when gone). */
export function diskWriteBytes(pid: number): number {
  try {
    const m = /write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, "utf8"));
    return m ? Number(m[1]) : 0;
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
  private main0 = 0;
  private machine0 = 0;
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
    this.main0 = this.mainThread();
    this.machine0 = machineCpuUs();
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

  /** CPU µs since start of the first process's main thread, and of the whole machine (see machineCpuUs). */
  threadsAndMachine(): { mainThreadUs: number; machineUs: number; machineCores: number } {
    const machineUs = machineCpuUs() - this.machine0;
    const wallMs = performance.now() - this.t0;
    const machineCores = Math.round((machineUs / 1000 / wallMs) * 100) / 100;
    return { mainThreadUs: this.mainThread() - this.main0, machineUs, machineCores };
  }

  private mainThread(): number {
    const pid = this.pids[0];
    return pid === undefined ? 0 : threadCpuUs(pid, pid);
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
