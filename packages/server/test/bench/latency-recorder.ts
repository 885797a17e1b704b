/** Records latencies (µs) and answers percentiles: hdr-histogram-js when installed, else a sorted array. */
export interface LatencyRecorder {
  readonly kind: "hdr" | "array";
  record(micros: number): void;
  /** The value at percentile `p` (0–100), in µs. */
  percentile(p: number): number;
  max(): number;
  count(): number;
}

/** Builds the best available LatencyRecorder. */
export async function createLatencyRecorder(): Promise<LatencyRecorder> {
  try {
    const mod = (await import("hdr-histogram-js")) as unknown as { default?: HdrModule } & HdrModule;
    const hdr = mod.default ?? mod;
    const h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 120_000_000,
      numberOfSignificantValueDigits: 3,
    });
    return {
      kind: "hdr",
      record: (us) => h.recordValue(Math.max(1, Math.round(us))),
      percentile: (p) => h.getValueAtPercentile(p),
      max: () => h.maxValue,
      count: () => h.totalCount,
    };
  } catch {
    return arrayRecorder();
  }
}

interface HdrModule {
  build(request: Record<string, number>): {
    recordValue(v: number): void;
    getValueAtPercentile(p: number): number;
    readonly maxValue: number;
    readonly totalCount: number;
  };
}

function arrayRecorder(): LatencyRecorder {
  const values: number[] = [];
  let sorted = true;
  const sortOnce = () => {
    if (!sorted) values.sort((a, b) => a - b);
    sorted = true;
  };
  return {
    kind: "array",
    record: (us) => {
      values.push(us);
      sorted = false;
    },
    percentile: (p) => {
      sortOnce();
      return values[Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1))] ?? 0;
    },
    max: () => {
      sortOnce();
      return values.at(-1) ?? 0;
    },
    count: () => values.length,
  };
}
