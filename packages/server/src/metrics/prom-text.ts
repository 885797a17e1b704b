/**
 * Reads the Prometheus text exposition format (what /metrics serves) back into samples, so the
 * admin dashboard reads this node's registry and the other nodes' /metrics the same way, and
 * counts nothing a second time.
 */

/** One sample line: `name{label="value",…} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of `text`; comments, blank and malformed lines are skipped. */
export function parsePromText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = LINE.exec(line.trim());
    if (!match) continue;
    const [, name = "", labelText = "", valueText = ""] = match;
    const value = Number(valueText);
    if (Number.isNaN(value) && valueText !== "NaN") continue;
    samples.push({ name, labels: labelsOf(labelText), value });
  }
  return samples;
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [, key = "", raw = ""] of text.matchAll(LABEL)) labels[key] = unescape(raw);
  return labels;
}

function unescape(raw: string): string {
  return raw.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** The sum of `name`'s samples whose labels include `where` (0 when there are none). */
export function sumOf(samples: readonly Sample[], name: string, where: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** Whether any sample of `name` is present (a gauge a node does not register is absent, not 0). */
export function hasMetric(samples: readonly Sample[], name: string): boolean {
  return samples.some((s) => s.name === name);
}
