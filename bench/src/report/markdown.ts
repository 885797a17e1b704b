import type { DmResult } from "../scenarios/dms.js";
import type { CommitFloorResult } from "../scenarios/commit-floor.js";
import type { DurableResult } from "../scenarios/durable.js";
import type { FanoutResult } from "../scenarios/fanout.js";
import type { IdleResult } from "../scenarios/idle.js";
import type { KafkaResult } from "../scenarios/kafka.js";
import { SMALL_ROOMS_TARGETS, type SmallRoomsResult } from "../scenarios/small-rooms.js";
import type { RestartOutcome } from "../scenarios/restart.js";
import type { ResumeOutcome } from "../scenarios/resume.js";
import { kafkaSection } from "./kafka-section.js";
import { label } from "./svg-chart.js";
import { machineCeiling, ratio, table } from "./table.js";

export interface AllResults {
  fanout?: FanoutResult;
  "small-rooms"?: SmallRoomsResult;
  dms?: DmResult;
  durable?: DurableResult;
  "commit-floor"?: CommitFloorResult;
  idle?: IdleResult;
  resume?: ResumeOutcome;
  kafka?: KafkaResult;
  restart?: RestartOutcome;
}

/** The Markdown summary of whatever scenarios have results. */
export function summaryMarkdown(r: AllResults, meta: string): string {
  const parts = [`# Parley benchmark summary\n\n${meta}\n`];
  if (r.fanout) {
    const pn = r.fanout.summary["parley-normal"]?.deliveredPerSec ?? NaN;
    parts.push(
      steppedSection("Fan-out", r.fanout, ["Parley (normal) ÷ system", (_n, v) => ratio(pn, v.deliveredPerSec)]),
      "![fan-out chart](fanout.svg)\n",
    );
  }
  if (r["small-rooms"]) {
    const target = (n: string) => {
      const t = SMALL_ROOMS_TARGETS[n];
      return t === undefined ? "" : `≥ ${t.toFixed(1)}×`;
    };
    // Its own run's scale and time: the meta line above is the last run's, which may be another scenario's.
    const { at, scale } = r["small-rooms"];
    const title = `Small rooms${at ? ` (${scale ?? "?"} run of ${at.slice(0, 16)} UTC)` : ""}`;
    parts.push(steppedSection(title, r["small-rooms"], ["target", target]));
  }
  if (r.dms) {
    parts.push(
      `## Many small rooms (${r.dms.sizes.users} users in DMs, one message per user every ${r.dms.sizes.everyS} s)\n`,
      table(
        [
          "system",
          "p50 ms",
          "p99 ms",
          "server CPU µs/msg",
          "of it the main thread",
          "server cores",
          "bytes written to storage per msg",
        ],
        Object.entries(r.dms.summary).map(([n, v]) => [
          label(n),
          v.p50Ms,
          v.p99Ms,
          v.serverCpuUsPerMsg,
          v.mainThreadCpuUsPerMsg ?? "–",
          v.serverCores,
          v.diskBytesPerMsg ?? "–",
        ]),
      ),
      "",
    );
  }
  if (r.durable) {
    parts.push(
      `## Durable publish through the server (acked after COMMIT, synchronous=FULL)\n`,
      durableTable(r.durable),
      "",
    );
  }
  if (r["commit-floor"]) parts.push(commitFloorSection(r["commit-floor"]));
  if (r.idle) {
    const rows = Object.entries(r.idle.summary).flatMap(([n, byCount]) =>
      Object.entries(byCount).map(([c, v]) => [
        label(n),
        c,
        v.rssKiBPerConn,
        Number.isNaN(v.heapKiBPerConn) ? "–" : v.heapKiBPerConn,
        // Results written before idle CPU was measured have none.
        v.idleCores ?? "–",
      ]),
    );
    parts.push(
      `## Idle connections (subscribed, rooms of 100)\n`,
      table(["system", "connections", "RSS KiB/conn", "heap KiB/conn", "server cores while idle"], rows),
      "",
    );
    const slopes = marginalRss(r.idle);
    if (slopes.length > 0) {
      parts.push(
        "Per connection between the two counts (what one more connection costs, without the fixed part of the",
        "growth, such as the young generation the connection storm enlarges):\n",
        table(["system", "RSS KiB per added connection"], slopes),
        "",
      );
    }
  }
  if (r.resume) {
    const rows = Object.entries(r.resume.summary).map(([n, v]) => [
      label(n),
      v.catchUpMs,
      v.p50Ms,
      v.serverCpuMs,
      v.caughtUp,
    ]);
    parts.push(
      `## Resume storm (${r.resume.sizes.clients} clients, ${r.resume.sizes.missed} missed events per room)\n`,
      table(["system", "slowest catch-up ms", "p50 catch-up ms", "server CPU ms", "caught up"], rows),
      "",
    );
  }
  if (r.kafka) parts.push(kafkaSection(r.kafka, { fanout: r.fanout, durable: r.durable, dms: r.dms }));
  if (r.restart) parts.push(restartSection(r.restart));
  return parts.join("\n") + "\n";
}

function restartSection(r: RestartOutcome): string {
  const rows = Object.entries(r.summary).map(([n, v]) => [
    label(n),
    v.openMs,
    v.connectedMs,
    v.subscribedMs,
    v.fromKillMs,
    v.serverCpuMs,
  ]);
  return [
    `## Restart after kill -9 (${r.sizes.events} stored events, ${r.sizes.kills} kills per round, medians)\n`,
    table(
      ["system", "spawn → ws open ms", "→ connected ms", "→ subscribed ms", "kill → subscribed ms", "server CPU ms"],
      rows,
    ),
    "",
  ].join("\n");
}

function durableTable(d: DurableResult): string {
  return table(
    [
      "system",
      "acked msg/s (closed loop)",
      `p50 ack ms at ${d.sizes.rate}/s`,
      `p99 ack ms at ${d.sizes.rate}/s`,
      "server CPU µs per ack",
      "of it the main thread",
      "machine CPU µs per ack (every process and the kernel)",
      "machine cores busy",
      "machine ceiling, acks/s",
    ],
    Object.entries(d.summary).map(([n, v]) => [
      label(n),
      v.ackedPerSec,
      v.p50AckMs,
      v.p99AckMs,
      v.serverCpuUsPerAck,
      v.mainThreadCpuUsPerAck ?? "–",
      v.machineCpuUsPerAck ?? "–",
      v.machineCores ?? "–",
      machineCeiling(v.machineCpuUsPerAck, d.machine?.cpus),
    ]),
  );
}

function commitFloorSection(f: CommitFloorResult): string {
  return [
    `## The embedded writer's commit alone (the SQL of one group commit, durability full, ${f.events} events per point, no server)\n`,
    table(
      [
        "shape",
        "rooms",
        "events per commit",
        "schema",
        "CPU µs per event",
        "user / system",
        "wall µs per event",
        "WAL pages per event",
      ],
      f.points.map((p) => [
        p.shape,
        p.rooms,
        p.batch,
        p.schema,
        p.cpuUsPerEvent,
        `${p.userUsPerEvent} / ${p.systemUsPerEvent}`,
        p.wallUsPerEvent,
        p.walFramesPerEvent,
      ]),
    ),
    "",
  ].join("\n");
}

/** RSS per connection added between the smallest and largest idle counts, per system. */
function marginalRss(idle: IdleResult): (string | number)[][] {
  const counts = [...idle.counts].sort((a, b) => a - b);
  const [lo, hi] = [counts[0], counts.at(-1)];
  if (counts.length < 2 || lo === undefined || hi === undefined) return [];
  return Object.entries(idle.summary).flatMap(([n, byCount]) => {
    const a = byCount[String(lo)];
    const b = byCount[String(hi)];
    if (!a || !b) return [];
    const kib = (b.rssKiBPerConn * hi - a.rssKiBPerConn * lo) / (hi - lo);
    return [[label(n), Math.round(kib * 100) / 100]];
  });
}

type FanoutSummary = FanoutResult["summary"][string];

/**
 * A stepped fan-out's table (fan-out, small rooms): each system's best step and Parley's rate over it, then
 * one more column, headed `extra[0]`, whose cells `extra[1]` gives.
 */
function steppedSection(
  title: string,
  r: FanoutResult,
  extra: [string, (name: string, v: FanoutSummary) => string],
): string {
  const p = r.summary["parley"]?.deliveredPerSec ?? NaN; // "–" in the ratio column when Parley was not run
  const rows = Object.entries(r.summary).map(([n, v]) => [
    label(n),
    v.deliveredPerSec,
    v.p99Ms,
    v.serverCpuUsPerMsg,
    Math.round(v.peakRssKiB / 1024),
    ratio(p, v.deliveredPerSec),
    extra[1](n, v),
  ]);
  const head = ["system", "delivered msg/s", "p99 ms", "server CPU µs/msg", "peak RSS MiB", "Parley ÷ system"];
  return [
    `## ${title} (${r.sizes.conns} connections, rooms of ${r.sizes.roomSize}; best step with p99 ≤ 50 ms; medians)\n`,
    table([...head, extra[0]], rows),
    "",
  ].join("\n");
}
