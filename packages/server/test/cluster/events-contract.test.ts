/**
 * The events topic is a contract for outside consumers (docs/kafka.md). An
 * outside client, Debian's `kcat` (librdkafka), reads it in read_committed
 * mode and must find exactly what subscribers received: one `event` record
 * per event, keyed by room, in seq order on the room's partition, with the
 * RoomEvent as its JSON value and the documented headers; and a retried
 * publish as a `duplicate` record carrying the original event, which a
 * consumer skips. Edits, deletes and reactions are events of their own that
 * name their target. Needs kcat (scripts/ensure-debian-packages.sh, run by
 * `npm test`): fails, never skips, without it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import type { AckFrame, Json, RoomEvent, ServerFrame } from "@parley/protocol";
import { partitionFor } from "#server/kafka/topics.js";
import { uniqueCmid, uniqueRoom } from "../support/fixtures.js";
import { TestCluster } from "../support/cluster-fixture.js";

const KCAT = "/usr/bin/kcat";

/** One record as kcat printed it. */
interface KcatRecord {
  readonly partition: number;
  readonly key: string;
  readonly headers: Map<string, string>;
  readonly value: unknown;
}

describe("the events topic as outside consumers read it", { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await TestCluster.start({ gateways: 1, sequencers: 1 });
  });
  after(() => cluster?.dispose());

  it("kcat in read_committed mode sees what subscribers received, with the documented key, headers and value", async () => {
    await cluster.explained(async () => {
      const [gateway] = cluster.gateways;
      assert.ok(gateway);
      const room = uniqueRoom("contract");
      const reader = await cluster.connect(gateway, "reader");
      assert.equal((await reader.request({ t: "sub", room })).t, "subscribed");
      const writer = await cluster.connect(gateway, "writer");
      const pub = async (cmid: string, kind: string, body: Json): Promise<AckFrame> => {
        const reply: ServerFrame = await writer.request({ t: "pub", room, cmid, kind, body });
        assert.equal(reply.t, "ack", JSON.stringify(reply));
        return reply as AckFrame;
      };
      const first = uniqueCmid();
      const m1 = await pub(first, "message", { text: "hello @reader" });
      const m2 = await pub(uniqueCmid(), "message", { text: "second" });
      await pub(uniqueCmid(), "edit", { target: m1.seq, text: "hello again" });
      await pub(uniqueCmid(), "reaction", { target: m2.seq, emoji: "👍", op: "add" });
      await pub(uniqueCmid(), "delete", { target: m2.seq });
      const retried = await pub(first, "message", { text: "hello @reader" });
      assert.deepEqual([retried.dup, retried.seq], [true, m1.seq], "the retry is answered as a duplicate of the first");
      const received = (await reader.waitForEvents(room, 5)).map(({ t: _t, ...event }) => event as RoomEvent);

      // Every publish above was acked, so its transaction is committed: kcat reads to the end and stops.
      const records = (await readTopic(cluster.config.kafka, `${cluster.config.topicPrefix}events`)).filter(
        (r) => r.key === room,
      );
      const events = records.filter((r) => r.headers.get("parley-t") === "event");
      assert.deepEqual(
        events.map((r) => r.value),
        received,
        "one event record per event, in seq order",
      );
      assert.deepEqual(
        received.map((e) => e.kind),
        ["message", "message", "edit", "reaction", "delete"],
      );
      const partition = partitionFor(room, cluster.config.partitions);
      for (const r of records) {
        assert.equal(r.partition, partition, "a room's records share one partition");
        assert.equal(r.headers.get("parley-v"), "1");
        assert.match(r.headers.get("parley-rid") ?? "", /.+:.+/);
      }
      for (const r of events) assert.match(r.headers.get("parley-epoch") ?? "", /^[A-Za-z0-9_-]{12}$/);
      const duplicates = records.filter((r) => r.headers.get("parley-t") === "duplicate");
      assert.equal(duplicates.length, 1, "the retry left one duplicate marker");
      assert.deepEqual(duplicates[0]?.value, received[0], "carrying the original event");
    })();
  });
});

/** Every committed record of `topic`, read by kcat from the beginning to the end of each partition. */
async function readTopic(brokers: string, topic: string): Promise<KcatRecord[]> {
  const args = ["-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q"];
  const format = ["-X", "isolation.level=read_committed", "-f", "%p\\t%k\\t%h\\t%s\\n"];
  const { stdout } = await promisify(execFile)(KCAT, [...args, ...format], { maxBuffer: 64 << 20 }).catch(
    (err: unknown) => {
      throw new Error(`${KCAT} failed (installed by scripts/ensure-debian-packages.sh): ${String(err)}`);
    },
  );
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map(parseLine);
}

/** `partition \t key \t name=value,… \t JSON`: JSON text escapes tabs and newlines, so splitting is safe. */
function parseLine(line: string): KcatRecord {
  const [partition, key, headers, ...value] = line.split("\t");
  const pairs = (headers ?? "").split(",").map((h) => h.split("=", 2) as [string, string]);
  return { partition: Number(partition), key: key ?? "", headers: new Map(pairs), value: JSON.parse(value.join("\t")) };
}
