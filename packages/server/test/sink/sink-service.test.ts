import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { describe, it } from "node:test";
import pino from "pino";
import { sinkEvent as event, sinkStorage } from "../support/sink-fixture.js";
import { waitUntil } from "../support/wait.js";
import { SINK_FETCH_BYTES, SinkService } from "#server/sink/sink-service.js";
import { PostgresSinkPositions } from "#server/postgres/sink-positions.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SinkService (real Kafka, real PostgreSQL)", () => {
  const storage = sinkStorage("sink", 4);
  const { brokers, prefix } = storage;
  const rooms = ["a", "b", "c", "d"].map((r) => `${prefix}${r}`);
  const sent = new Map<string, number>();

  const publish = async (perRoom: number, text = ""): Promise<void> => {
    const messages = [];
    for (const room of rooms) {
      for (let i = 0; i < perRoom; i++) {
        const seq = (sent.get(room) ?? 0) + 1;
        sent.set(room, seq);
        const headers = { "parley-t": "event", "parley-epoch": "e1", "parley-rid": "g:1" };
        const value = JSON.stringify(text ? { ...event(room, seq), body: { text } } : event(room, seq));
        messages.push({ topic: `${prefix}events`, key: room, value, headers });
        // A duplicate marker (an answer to a retrying gateway) right after: never stored as a second row.
        const dup = { ...event(room, seq), id: `dup-${seq}`, seq: seq + 100_000 };
        const dupHeaders = { "parley-t": "duplicate", "parley-rid": "g:2" };
        messages.push({ topic: `${prefix}events`, key: room, value: JSON.stringify(dup), headers: dupHeaders });
      }
    }
    await storage.producer.send({ messages });
  };
  const complete = async (): Promise<boolean> => {
    for (const room of rooms) if ((await storage.events.maxSeq(room)) !== sent.get(room)) return false;
    return true;
  };
  const startSink = async (): Promise<SinkService> => {
    const sink = new SinkService({
      brokers,
      topicPrefix: prefix,
      events: storage.events,
      positions: new PostgresSinkPositions(storage.db.pool),
      logger: pino({ level: "silent" }),
      maxBatch: 50,
      sessionTimeoutMs: 3000,
    });
    await sink.start();
    return sink;
  };

  it("writes every event once, and catches up after being stopped a while", async () => {
    let sink = await startSink();
    await publish(30);
    await waitUntil(complete, "first events in PostgreSQL", 20_000);
    await sink.stop();
    await publish(120);
    await sleep(300);
    assert.equal(await complete(), false, "nothing is written while the sink is stopped");
    sink = await startSink();
    await waitUntil(complete, "catch-up", 30_000);
    await sink.stop();
    for (const room of rooms) {
      const stored = await storage.events.readAfter(room, 0, 1000);
      assert.deepEqual(
        stored.map((e) => e.seq),
        Array.from({ length: 150 }, (_, i) => i + 1),
        "contiguous, no duplicate",
      );
      assert.deepEqual(await storage.events.head(room), { epoch: "e1", lastSeq: 150 });
    }
  });

  it("catches up in fetches of bounded size, so a backlog never stalls the process's event loop for long", async () => {
    const sink = await startSink();
    await waitUntil(complete, "the first test's events in PostgreSQL", 20_000);
    await sink.stop();
    // A backlog of ~5x the bound, in batches of ~40 KiB (each send is a batch per partition).
    const text = "x".repeat(800);
    for (let i = 0; i < 30; i++) await publish(40, text);
    const largest = { bytes: 0 };
    // The client publishes every response it decoded here (its tracing channel's asyncStart).
    const name = "tracing:plt:kafka:connections:api:asyncStart";
    const measure = (ctx: unknown) => void (largest.bytes = Math.max(largest.bytes, recordBytes(ctx)));
    subscribe(name, measure);
    try {
      const again = await startSink();
      await waitUntil(complete, "catch-up", 60_000);
      await again.stop();
    } finally {
      unsubscribe(name, measure);
    }
    // The broker may exceed the bound by one batch (it always returns the first batch whole).
    assert.ok(largest.bytes > 0, "the sink's fetches were seen");
    assert.ok(largest.bytes <= SINK_FETCH_BYTES + 64 * 1024, `a fetch carried ${largest.bytes} bytes of records`);
  });
});

/** Bytes of record values in a decoded Fetch response (0 for any other response). */
function recordBytes(ctx: unknown): number {
  const responses = (ctx as { result?: { responses?: unknown } } | undefined)?.result?.responses;
  if (!Array.isArray(responses)) return 0;
  let bytes = 0;
  for (const t of responses as { partitions?: { records?: { records: { value?: Buffer }[] }[] }[] }[]) {
    for (const p of t.partitions ?? [])
      for (const b of p.records ?? []) for (const r of b.records) bytes += r.value?.length ?? 0;
  }
  return bytes;
}
