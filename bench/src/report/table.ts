/** `a ÷ b` as "1.23×", or "–" when b is missing or the ratio is not a number. */
export const ratio = (a: number, b: number | undefined): string =>
  b && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "–";

/** A cell's text: "–" for what was not measured (NaN, which JSON stores as null). */
const cell = (v: string | number | null): string | number =>
  v === null || (typeof v === "number" && Number.isNaN(v)) ? "–" : v;

/** A Markdown table. */
export const table = (head: string[], rows: (string | number)[][]): string =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");

/**
 * The acks per second at which every core of the measuring machine (`cores`, as run.ts recorded it beside the
 * result) would be busy at the measured machine CPU per ack: what the box allows at that cost, whatever the
 * system does with it.
 */
export function machineCeiling(machineUsPerAck: number | undefined, cores: number | undefined): number | string {
  if (machineUsPerAck === undefined || !(machineUsPerAck > 0) || cores === undefined) return "–";
  return Math.round((cores * 1_000_000) / machineUsPerAck);
}
