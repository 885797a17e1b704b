import type { CrossoverSeries } from "../routing-model/at-scale.js";
import { legend, svgStart } from "./svg-chart.js";

const W = 760;
const H = 460;
const PAD = { l: 70, r: 230, t: 56, b: 55 };
const COLORS = ["#5f3dc4", "#0b7285", "#d6336c", "#e8590c"];

/**
 * The routing crossover: gateways (log axis, 1 to 1 000) against room spread (the share of rooms whose members
 * sit on gateways at random). Under each curve redistributed routing costs the cluster less CPU per gateway
 * than everybody-reads-everything; above it, everything wins. One curve per Zipf exponent and forwarding.
 */
export function crossoverChart(series: readonly CrossoverSeries[], subtitle: string): string {
  const maxG = Math.max(2, ...series.flatMap((s) => s.points.map((p) => p.gateways)));
  const x = (g: number) => PAD.l + (Math.log10(g) / Math.log10(maxG)) * (W - PAD.l - PAD.r);
  const y = (spread: number) => H - PAD.b - spread * (H - PAD.t - PAD.b);
  const out = svgStart({ width: W, height: H }, "Where redistributors win: gateways × room spread");
  out.push(`<text x="${W / 2 - 40}" y="40" text-anchor="middle" fill="#555">${subtitle}</text>`);
  for (const g of [1, 10, 100, 1000].filter((v) => v <= maxG)) {
    out.push(`<line x1="${x(g)}" y1="${PAD.t}" x2="${x(g)}" y2="${H - PAD.b}" stroke="#eee"/>`);
    out.push(`<text x="${x(g)}" y="${H - PAD.b + 18}" text-anchor="middle">${g}</text>`);
  }
  for (const s of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${PAD.l}" y1="${y(s)}" x2="${W - PAD.r}" y2="${y(s)}" stroke="#eee"/>`);
    out.push(`<text x="${PAD.l - 8}" y="${y(s) + 4}" text-anchor="end">${s * 100} %</text>`);
  }
  out.push(
    `<rect x="${PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="none" stroke="#888"/>`,
    `<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 12}" text-anchor="middle">gateways (log)</text>`,
    `<text x="16" y="${(PAD.t + H - PAD.b) / 2}" transform="rotate(-90 16 ${(PAD.t + H - PAD.b) / 2})" text-anchor="middle">rooms spread at random</text>`,
    `<text x="${W - PAD.r + 16}" y="${PAD.t + 10 + series.length * 22 + 12}" fill="#555">below a curve: redistributed</text>`,
    `<text x="${W - PAD.r + 16}" y="${PAD.t + 10 + series.length * 22 + 28}" fill="#555">costs less; dashed: direct</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] ?? "#555";
    const dash = s.forwarding === "direct" ? ` stroke-dasharray="6 4"` : "";
    const pts = s.points.map((p) => `${x(p.gateways).toFixed(1)},${y(p.spread).toFixed(1)}`);
    out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const p of pts) out.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3" fill="${color}"/>`);
  });
  const entries = series.map((s, i) => ({
    label: `Zipf ${s.exponent}, ${s.forwarding} (${roomCount(s.rooms)} rooms)`,
    color: COLORS[i % COLORS.length] ?? "#555",
  }));
  out.push(...legend(entries, { x: W - PAD.r + 16, y: PAD.t + 10 }));
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function roomCount(rooms: number): string {
  return rooms >= 1e6 ? `${(rooms / 1e6).toFixed(1)}M` : `${Math.round(rooms / 1000)}k`;
}
