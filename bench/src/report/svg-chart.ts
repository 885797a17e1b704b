import type { FanoutResult } from "../scenarios/fanout.js";

const COLORS: Record<string, string> = {
  "parley-base": "#868e96",
  "parley-normal": "#862e9c",
  "parley-kafka": "#5f3dc4",
  "parley-kafka-base": "#9775fa",
  "parley-kafka-split": "#0b7285",
  parley: "#d6336c",
  ws: "#1c7ed6",
  centrifugo: "#e8590c",
  nats: "#37b24d",
  socketio: "#f08c00",
};
const W = 760;
const H = 460;
const PAD = { l: 70, r: 150, t: 40, b: 55 };

/**
 * Throughput against p99 latency, one line per system and round, from the
 * fan-out steps. The y axis is logarithmic (0.1 ms to 2 s) so both the flat
 * part and the knee are visible; the dashed line is the 50 ms limit.
 */
export function fanoutChart(result: FanoutResult): string {
  const series = Object.entries(result.rounds).flatMap(([name, rounds]) =>
    rounds.map((r) => ({
      name,
      points: r.steps.map((s): [number, number] => [s.deliveredPerSec, Math.max(0.1, s.latency.p99Ms)]),
    })),
  );
  const maxX = niceCeil(Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0]))));
  const x = (v: number) => PAD.l + (v / maxX) * (W - PAD.l - PAD.r);
  const y = (ms: number) => {
    const f = (Math.log10(Math.min(2000, ms)) + 1) / (Math.log10(2000) + 1);
    return H - PAD.b - f * (H - PAD.t - PAD.b);
  };
  const out = svgStart({ width: W, height: H }, "Fan-out: delivered msg/s vs p99 publish→deliver");
  for (let i = 0; i <= 5; i++) {
    const v = (maxX / 5) * i;
    out.push(`<line x1="${x(v)}" y1="${PAD.t}" x2="${x(v)}" y2="${H - PAD.b}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${H - PAD.b + 18}" text-anchor="middle">${Math.round(v / 1000)}k</text>`);
  }
  for (const ms of [0.1, 1, 10, 100, 1000]) {
    out.push(`<line x1="${PAD.l}" y1="${y(ms)}" x2="${W - PAD.r}" y2="${y(ms)}" stroke="#eee"/>`);
    out.push(`<text x="${PAD.l - 8}" y="${y(ms) + 4}" text-anchor="end">${ms} ms</text>`);
  }
  out.push(
    `<line x1="${PAD.l}" y1="${y(50)}" x2="${W - PAD.r}" y2="${y(50)}" stroke="#c00" stroke-dasharray="6 4"/>`,
    `<text x="${W - PAD.r - 4}" y="${y(50) - 5}" text-anchor="end" fill="#c00">p99 = 50 ms</text>`,
    `<rect x="${PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="none" stroke="#888"/>`,
    `<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 12}" text-anchor="middle">delivered messages per second</text>`,
    `<text x="16" y="${(PAD.t + H - PAD.b) / 2}" transform="rotate(-90 16 ${(PAD.t + H - PAD.b) / 2})" text-anchor="middle">p99 latency (log)</text>`,
  );
  for (const s of series) {
    const color = COLORS[s.name] ?? "#555";
    const pts = s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`);
    out.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${color}" stroke-width="2" opacity="0.85"/>`);
    for (const p of pts) out.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3" fill="${color}"/>`);
  }
  const entries = Object.keys(result.rounds).map((name) => ({ label: label(name), color: COLORS[name] ?? "#555" }));
  out.push(...legend(entries, { x: W - PAD.r + 16, y: PAD.t + 10 }));
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** An SVG document's opening: its element, a white background and the title centred 40 px left of the middle. */
export function svgStart(size: { width: number; height: number }, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${size.width}" height="${size.height}" fill="white"/>`,
    `<text x="${size.width / 2 - 40}" y="22" font-size="15" text-anchor="middle">${title}</text>`,
  ];
}

/** A legend: one coloured swatch and label per entry, 22 px apart, from (x, y) down. */
export function legend(entries: readonly { label: string; color: string }[], at: { x: number; y: number }): string[] {
  return entries.flatMap((e, i) => {
    const ly = at.y + i * 22;
    return [
      `<rect x="${at.x}" y="${ly - 8}" width="14" height="10" fill="${e.color}"/>`,
      `<text x="${at.x + 20}" y="${ly + 1}">${e.label}</text>`,
    ];
  });
}

export function label(name: string): string {
  return (
    {
      parley: "Parley",
      "parley-base": "Parley (baseline)",
      "parley-normal": "Parley (normal)",
      "parley-kafka": "Parley (Kafka mode)",
      "parley-kafka-base": "Parley (Kafka mode, baseline)",
      "parley-kafka-split": "Parley (Kafka, split roles)",
      ws: "bare ws loop",
      nats: "NATS (ws)",
      centrifugo: "Centrifugo 6",
      socketio: "Socket.IO 4",
    }[name] ?? name
  );
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / p) * p;
}
