/**
 * Overload: one user floods from three connections at many times its
 * per-connection and per-user publish rates. Publishers get RATE_LIMITED
 * (and nothing else), the server's RSS (read from /proc) stays bounded and
 * does not creep from round to round, every acked message is in history at
 * its acked seq, and a calm user on the same server is not limited.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import type { ServerFrame } from "@parley/protocol";
import { ServerProcess } from "../support/server-process.js";
import { RawClient } from "../support/raw-client.js";
import { range, readAllHistory, seqs, sleep, uniqueRoom } from "../support/fixtures.js";

const RATE_PER_CONNECTION = 20;
const RATE_PER_USER = 40;
const ROUNDS = 5;
const PUBS_PER_CONNECTION = 400;
const BODY = "o".repeat(4_000);

/** The pid of the server whose command line holds `dataDir` (ServerProcess does not expose it). */
function serverPid(dataDir: string): number {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(dataDir) && cmdline.includes("start")) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no process for ${dataDir}`);
}

/** Resident set size in MiB. */
function rssMiB(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

describe("overload", () => {
  let server: ServerProcess;
  before(async () => {
    const args = ["--publish-rate-per-connection", String(RATE_PER_CONNECTION)];
    // RATE_LIMITED counts toward maxErrorsPerMinute (docs/protocol.md): lift it, or the flooders are cut with 4005.
    args.push("--publish-rate-per-user", String(RATE_PER_USER), "--max-errors-per-minute", "1000000");
    server = await ServerProcess.start({ args });
  });
  after(async () => {
    await server?.cleanup();
  });

  test("publishers get RATE_LIMITED, memory stays bounded, nothing acked is lost", { timeout: 90_000 }, async () => {
    const pid = serverPid(server.dataDir);
    const room = uniqueRoom("overload");
    const flooders = await Promise.all(range(1, 3).map(() => RawClient.connect(server.wsUrl, { user: "flood" })));
    const calm = await RawClient.connect(server.wsUrl, { user: "calm" });
    const baseline = rssMiB(pid);
    const peaks: number[] = [];
    const acked = new Map<string, number>();
    const codes = new Map<string, number>();
    let sent = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        let peak = 0;
        const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 50);
        try {
          const flood = flooders.flatMap((c, ci) =>
            range(1, PUBS_PER_CONNECTION).map((i) => {
              const cmid = `r${round}-c${ci}-${i}`;
              sent++;
              return c.request({ t: "pub", room, cmid, body: BODY }, 30_000).then((reply) => tally(reply, cmid));
            }),
          );
          const calmReply = await calm.request({ t: "pub", room, cmid: `calm-${round}`, body: "hi" });
          assert.equal(
            calmReply.t,
            "ack",
            `a calm user is not limited by another user's flood: ${JSON.stringify(calmReply)}`,
          );
          tally(calmReply, `calm-${round}`);
          await Promise.all(flood);
          await sleep(1_000);
        } finally {
          clearInterval(sampler);
        }
        peaks.push(Math.max(peak, rssMiB(pid)));
      }
    } finally {
      for (const c of [...flooders, calm]) c.terminate();
    }

    function tally(reply: ServerFrame, cmid: string): void {
      if (reply.t === "ack") acked.set(cmid, reply.seq);
      else if (reply.t === "error") codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
    }

    const summary = `sent ${sent}, acked ${acked.size}, errors ${JSON.stringify(Object.fromEntries(codes))}, RSS baseline ${baseline.toFixed(0)} MiB, peaks ${peaks.map((p) => p.toFixed(0)).join(",")}`;
    console.log(`overload: ${summary}`);
    assert.deepEqual([...codes.keys()], ["RATE_LIMITED"], summary);
    assert.ok((codes.get("RATE_LIMITED") ?? 0) > sent / 2, summary);
    assert.ok(acked.size >= ROUNDS * 2 * RATE_PER_USER * 0.5, summary);
    assert.ok(Math.max(...peaks) < baseline + 150, `RSS bounded: ${summary}`);
    assert.ok(peaks.at(-1)! < peaks[0]! + 40, `RSS does not creep round after round: ${summary}`);
    assert.ok(server.running);

    const auditor = await RawClient.connect(server.wsUrl, { user: "auditor" });
    try {
      const history = await readAllHistory(auditor, room);
      assert.deepEqual(seqs(history), range(1, history.length));
      assert.equal(history.length, acked.size, "everything stored was acked, and the other way round");
      const bySeq = new Map(history.map((e) => [e.seq, e.cmid]));
      for (const [cmid, seq] of acked) assert.equal(bySeq.get(seq), cmid, `acked ${cmid} at seq ${seq}`);
    } finally {
      auditor.terminate();
    }
  });
});
