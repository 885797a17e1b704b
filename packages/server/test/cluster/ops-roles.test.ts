/**
 * Operations on every role (issue 14, item 4): a sequencer-only and a
 * sink-only node answer /healthz, /readyz (503 until they can work, then 200)
 * and /metrics with their series; the sink's consumer lag rises while
 * PostgreSQL holds its writes and falls back to 0 after. Real processes on
 * the test broker and PostgreSQL; fails, never skips, without them.
 */
import assert from "node:assert/strict";
import { createServer, connect, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { uniqueRoom } from "../support/fixtures.js";
import { publishUntilAcked, TestCluster } from "../support/cluster-fixture.js";
import { ClusterProcess } from "../support/cluster-process.js";
import type { RawClient } from "../support/raw-client.js";

describe("cluster: ops routes on every role", { timeout: 200_000 }, () => {
  let cluster: TestCluster;
  const extra: ClusterProcess[] = [];

  before(async () => {
    cluster = await TestCluster.start({ gateways: 1, sequencers: 1, args: ["--kafka-session-timeout-ms", "3000"] });
  });
  after(async () => {
    await Promise.all(extra.map((p) => p.cleanup()));
    await cluster?.dispose();
  });

  it("a sequencer-only and a sink-only node say 503 until they can work, then 200, and serve their metrics", async () => {
    // The nodes reach the broker through a gate held shut: they listen, but cannot own or write anything yet.
    const gate = await BrokerGate.open(cluster.config.kafka);
    // The new sink takes every events partition (the cluster's own sink leaves the group).
    await cluster.sink.stop();
    const gated = { ...cluster.config, kafka: gate.address };
    const sequencer = new ClusterProcess("sequencer", gated, "seq-ops");
    const sink = new ClusterProcess("sink", gated, "sink-ops");
    extra.push(sequencer, sink);
    try {
      await Promise.all([sequencer.start(30_000, "listening"), sink.start(30_000, "listening")]);
      for (const node of [sequencer, sink]) {
        assert.equal((await fetch(`${node.httpUrl}/healthz`)).status, 200);
        const ready = await fetch(`${node.httpUrl}/readyz`);
        assert.deepEqual([ready.status, await ready.json()], [503, { status: "starting" }], node.name);
      }
      gate.release();
      for (const node of [sequencer, sink]) await until(async () => (await status(node, "/readyz")) === 200);
      // The new sequencer owns some partitions once ready: it sequences a publish to each of them.
      const room = uniqueRoom("ops");
      const alice = reuse(() => cluster.connect(cluster.gateways[0]!, "alice"));
      for (let i = 0; i < 8; i++) await publishUntilAcked(alice, { room: `${room}-${i}`, body: { i }, cmid: `c${i}` });
      const seqMetrics = await metrics(sequencer);
      assert.match(seqMetrics, /^parley_sequencer_batch_size_count \d+/m);
      assert.match(seqMetrics, /^parley_sequencer_transaction_seconds_bucket\{le="0\.1"\} \d+/m);
      assert.match(
        seqMetrics,
        /^parley_consumer_lag\{consumer="sequencer",topic="[^"]+commands",partition="\d+"\} \d+$/m,
      );
      await until(async () => /^parley_consumer_lag\{consumer="sink",[^}]*\} 0$/m.test(await metrics(sink)));
      assert.match(await metrics(sink), /^parley_sink_batch_seconds_count \d+/m);
      const gateway = await metrics(cluster.gateways[0]!);
      assert.equal(lagSeries(gateway, "gateway").size, 4, "the gateway's tail reads every events partition");
    } catch (err) {
      if (err instanceof Error) err.message += `\n${sequencer.output()}\n${sink.output()}\n${cluster.output()}`;
      throw err;
    } finally {
      gate.close();
    }
  });

  it("the sink's lag grows while PostgreSQL holds its writes, and returns to 0 after", async () => {
    const sinks = [cluster.sink, ...extra].filter((p) => p.role === "sink" && p.running);
    // Summed over the running sinks, which share the 4 events partitions.
    const lags = async () =>
      (await Promise.all(sinks.map(async (s) => [...lagSeries(await metrics(s), "sink").values()]))).flat();
    const total = async () => (await lags()).reduce((a, b) => a + b, 0);
    await until(async () => {
      const now = await lags();
      return now.length === 4 && now.every((lag) => lag === 0);
    });
    const lock = new pg.Client({ connectionString: cluster.config.postgres });
    await lock.connect();
    try {
      await lock.query("BEGIN");
      await lock.query("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
      const room = uniqueRoom("lag");
      const bob = reuse(() => cluster.connect(cluster.gateways[0]!, "bob"));
      for (let i = 0; i < 20; i++)
        await publishUntilAcked(bob, { room: `${room}-${i % 4}`, body: { i }, cmid: `l${i}` });
      // 20 events acked, none written: each is at least one record the sinks have not committed.
      await until(async () => (await total()) >= 20);
      await lock.query("COMMIT");
      await until(async () => (await total()) === 0);
    } finally {
      await lock.end();
    }
  });
});

/** A TCP forwarder to the broker that holds every connection until released. */
class BrokerGate {
  private released = false;
  private readonly held: Socket[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
    readonly address: string,
  ) {}

  static async open(brokers: string): Promise<BrokerGate> {
    const [host = "127.0.0.1", port = "9092"] = brokers.split(",")[0]!.split(":");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port: own } = server.address() as { port: number };
    const gate = new BrokerGate(server, { host, port: Number(port) }, `127.0.0.1:${own}`);
    server.on("connection", (socket) => (gate.released ? gate.forward(socket) : gate.held.push(socket)));
    return gate;
  }

  release(): void {
    this.released = true;
    for (const socket of this.held.splice(0)) this.forward(socket);
  }

  close(): void {
    this.server.close();
  }

  private forward(socket: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    socket.pipe(upstream).pipe(socket);
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  }
}

/** One connection for many publishes; a new one only after it closed. */
function reuse(connect: () => Promise<RawClient>): () => Promise<RawClient> {
  let client: RawClient | undefined;
  return async () => {
    if (!client || client.closeInfo) client = await connect();
    return client;
  };
}

async function status(node: ClusterProcess, path: string): Promise<number> {
  return (await fetch(`${node.httpUrl}${path}`)).status;
}

async function metrics(node: ClusterProcess): Promise<string> {
  const res = await fetch(`${node.httpUrl}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

/** `parley_consumer_lag` of one consumer, by partition. */
function lagSeries(text: string, consumer: string): Map<number, number> {
  const out = new Map<number, number>();
  const pattern = new RegExp(
    `^parley_consumer_lag\\{consumer="${consumer}",topic="[^"]+",partition="(\\d+)"\\} (\\d+)$`,
    "gm",
  );
  for (const m of text.matchAll(pattern)) out.set(Number(m[1]), Number(m[2]));
  return out;
}

/** Polls `check` until it holds (60 s at most, then fails). */
async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within 60 s: ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
