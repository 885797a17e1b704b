/**
 * A debugging aid for Kafka mode's latency (docs/performance.md, "Kafka-mode
 * latency"): with PARLEY_LATENCY_TRACE=1 in its environment, a process
 * records how long each hop of a publish took (names below) and prints, every
 * 2 s, per hop the count, p50, p99 and max in ms, plus the event loop's delay,
 * to stderr. Unset (always in production), `latencyTrace` is undefined and
 * each call site costs one comparison.
 *
 * Hops across processes use Kafka record timestamps (the producer's clock
 * when it encoded the record, ms) against Date.now() of the reader: every
 * process of the benchmark runs on one machine, so one clock.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

const WINDOW_MS = 2_000;

/** Per-hop samples of one window, and the event loop's delay over it. */
export class LatencyTrace {
  private samples = new Map<string, number[]>();
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(private readonly label: string) {
    this.loop.enable();
  }

  /** Records one sample of `hop`, in ms. */
  add(hop: string, ms: number): void {
    let list = this.samples.get(hop);
    if (!list) this.samples.set(hop, (list = []));
    list.push(ms);
  }

  /**
   * The window so far as one line, then a new window: `trace <label> <time> loop p50/p99/max | <hop> n=<count>
   * p50/p99/max | …` (ms; hops by name; the loop figures are the delay of a 10 ms timer, so 10 is an idle loop).
   */
  line(): string {
    const parts: string[] = [];
    for (const [hop, list] of [...this.samples].sort(([a], [b]) => a.localeCompare(b))) {
      list.sort((a, b) => a - b);
      const at = (q: number) => round(list[Math.min(list.length - 1, Math.floor(q * list.length))] ?? 0);
      parts.push(`${hop} n=${list.length} ${at(0.5)}/${at(0.99)}/${round(list.at(-1) ?? 0)}`);
    }
    const ms = (ns: number) => round(ns / 1e6);
    const loop = `loop ${ms(this.loop.percentile(50))}/${ms(this.loop.percentile(99))}/${ms(this.loop.max)}`;
    this.loop.reset();
    this.samples = new Map();
    return `trace ${this.label} ${new Date().toISOString().slice(11, 23)} ${loop} | ${parts.join(" | ")}`;
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Prints the trace's line to stderr every 2 s; the timer does not keep the process alive. */
function printing(trace: LatencyTrace): LatencyTrace {
  setInterval(() => process.stderr.write(`${trace.line()}\n`), WINDOW_MS).unref();
  return trace;
}

/**
 * The process's trace when PARLEY_LATENCY_TRACE is set; undefined otherwise. A diagnostic switch read here,
 * like NODE_DEBUG, not a configuration option: it changes nothing the server does, only what it prints.
 */
export const latencyTrace: LatencyTrace | undefined = process.env.PARLEY_LATENCY_TRACE
  ? printing(new LatencyTrace(`${process.pid}`))
  : undefined;
