/**
 * Restart the Kafka broker while clients publish through the cluster: every
 * process recovers on its own and no acked message is lost, duplicated or
 * moved (checked in PostgreSQL and through a gateway). Runs its OWN broker
 * (scripts/kafka/start.sh in a temp dir), so the shared test broker of the
 * other files is never disrupted; fails, never skips, when it cannot start.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { OwnBroker } from "../support/test-kafka.js";
import { range, readAllHistory, seqs, sleep, uniqueCmid, uniqueRoom } from "../support/fixtures.js";
import type { RawClient } from "../support/raw-client.js";
import { publishUntilAcked, TestCluster } from "../support/cluster-fixture.js";

const SESSION = ["--kafka-session-timeout-ms", "3000"];

/** Publishers that keep publishing (each message retried with its cmid until acked) and record every ack. */
class Publishers {
  readonly acked = new Map<string, { room: string; seq: number; at: number }>();
  /** The first publisher that gave up. */
  error: Error | undefined;
  private stopped = false;
  private readonly loops: Promise<void>[];

  constructor(cluster: TestCluster, rooms: string[], count: number) {
    this.loops = Array.from({ length: count }, (_, p) =>
      this.loop(cluster, rooms, p).catch((err: Error) => void (this.error ??= err)),
    );
  }

  ackedSince(t: number): number {
    if (this.error) throw this.error;
    return [...this.acked.values()].filter((a) => a.at >= t).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async loop(cluster: TestCluster, rooms: string[], p: number): Promise<void> {
    const gateway = cluster.gateways[p % cluster.gateways.length]!;
    let client: RawClient | undefined;
    const connect = async () =>
      !client || client.closeInfo ? (client = await cluster.connect(gateway, `pub${p}`)) : client;
    for (let n = 0; !this.stopped; n++) {
      const room = rooms[(p + n) % rooms.length]!;
      const cmid = uniqueCmid();
      const ack = await publishUntilAcked(connect, { room, body: { p, n }, cmid }, 90_000);
      this.acked.set(cmid, { room, seq: ack.seq, at: Date.now() });
      await sleep(20);
    }
  }
}

describe("cluster: broker restart under load", { timeout: 240_000 }, () => {
  let broker: OwnBroker | undefined;
  let cluster: TestCluster | undefined;
  before(async () => {
    broker = await OwnBroker.start();
    cluster = await TestCluster.start({ gateways: 2, sequencers: 2, args: SESSION, kafka: broker.bootstrap });
  });
  after(async () => {
    await cluster?.dispose();
    await broker?.purge();
  });

  it("every process recovers and no acked message is lost", async () => {
    const c = cluster!;
    try {
      const rooms = [1, 2, 3, 4, 5, 6].map(() => uniqueRoom("brokerrestart"));
      const load = new Publishers(c, rooms, 4);
      await waitFor(() => load.ackedSince(0) >= 40, 30_000, "acks before the restart");
      await broker!.restart();
      const back = Date.now();
      await waitFor(() => load.ackedSince(back) >= 60, 90_000, "acks after the restart");
      await load.stop();
      if (load.error) throw load.error;

      for (const room of rooms) {
        const mine = [...load.acked].filter(([, a]) => a.room === room);
        const top = Math.max(0, ...mine.map(([, a]) => a.seq));
        await waitFor(async () => (await c.storedEvents(room)).length >= top, 30_000, `sink catch-up of ${room}`);
        const stored = await c.storedEvents(room);
        assert.deepEqual(seqs(stored), range(1, stored.length), `${room} is contiguous in PostgreSQL`);
        assert.equal(new Set(stored.map((e) => e.cmid)).size, stored.length, `${room}: no cmid twice`);
        const byCmid = new Map(stored.map((e) => [e.cmid, e.seq]));
        for (const [cmid, a] of mine) assert.equal(byCmid.get(cmid), a.seq, `acked ${cmid} stored with its acked seq`);
        for (const gateway of c.gateways) {
          const reader = await c.connect(gateway, "reader");
          const seen = await readAllHistory(reader, room);
          assert.deepEqual(
            seen.map((e) => [e.seq, e.cmid]),
            stored.map((e) => [e.seq, e.cmid]),
            `${gateway.name} serves the same history`,
          );
          await reader.close();
        }
      }
    } catch (err) {
      if (err instanceof Error) err.message += `\n${c.output()}`;
      throw err;
    }
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}
