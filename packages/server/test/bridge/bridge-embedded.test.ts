/**
 * The inbound bridge in embedded mode (docs/kafka.md, "Inbound topics"): a
 * Parley on SQLite consumes external topics that an outside producer (kcat)
 * writes. Every record becomes exactly one event, in partition order, across
 * a kill -9 mid-stream; records that cannot become events land on the
 * dead-letter topic with their reason and never hold up the records after
 * them. Needs the test broker (PARLEY_TEST_KAFKA) and kcat.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { readAllHistory, subscribe, uniqueRoom, withServer } from "../support/fixtures.js";
import { kcatProduce, kcatRead, type KcatRecord } from "../support/kcat.js";
import { restAs } from "../support/rest-as.js";
import { scrapeCounter } from "../support/scrape.js";
import { ServerProcess } from "../support/server-process.js";
import { createTestTopics, testBrokers, uniquePrefix } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";

const PER_ROOM = 1500;
const MAX_MESSAGE_BYTES = 1024;

describe("the inbound bridge in embedded mode", { timeout: 300_000 }, () => {
  const brokers = testBrokers().join(",");
  const prefix = uniquePrefix("bridge");
  const feed = `${prefix}feed`;
  const alerts = `${prefix}alerts`;
  let server: ServerProcess;

  before(async () => {
    await createTestTopics(testBrokers(), [feed, alerts], 2);
    server = await ServerProcess.start({
      args: [
        ...["--bridge-brokers", brokers, "--topic-prefix", prefix, "--max-message-bytes", String(MAX_MESSAGE_BYTES)],
        ...["--bridge-topics", `${feed} room=key author=feed-bot,${alerts} room=field:meta.room author=alert-bot`],
      ],
    });
  });
  after(() => server?.cleanup());

  it(
    "turns each record into one event, in partition order, across a kill -9 mid-stream",
    withServer(
      () => server,
      async (pool) => {
        const rooms = [uniqueRoom("feed-a"), uniqueRoom("feed-b")];
        const reader = await pool.connect({ user: "reader" });
        for (const room of rooms) await subscribe(reader, room);
        const records: KcatRecord[] = rooms.flatMap((room, partition) =>
          Array.from({ length: PER_ROOM }, (_, i) => ({
            partition,
            key: room,
            value: JSON.stringify({ text: `${i}` }),
          })),
        );
        await kcatProduce(brokers, feed, records);

        await reader.waitForEvents(rooms[0]!, 20, 60_000);
        await server.kill9();
        const live = reader.events(rooms[0]!);
        assert.ok(live.length < PER_ROOM, `the kill came mid-stream (${live.length} of ${PER_ROOM} seen)`);
        assertPrefixInOrder(live, "what the subscriber saw before the kill");
        await server.restart();

        const after = await pool.connect({ user: "after" });
        for (const room of rooms) {
          await waitUntil(async () => (await readAllHistory(after, room)).length >= PER_ROOM, `${room} complete`);
          const history = await readAllHistory(after, room);
          assert.deepEqual(
            history.map((e) => (e.body as { text: string }).text),
            Array.from({ length: PER_ROOM }, (_, i) => `${i}`),
            "every record exactly once, in partition order",
          );
          assert.ok(history.every((e) => e.from === "feed-bot" && e.kind === "message"));
          assert.ok(
            history.every((e) => /^kafka:[A-Za-z0-9_-]{11}:[01]:\d+$/.test(e.cmid)),
            "cmid from the coordinates",
          );
        }
        // Records handled after the last offset commit before the kill came again, as duplicates.
        const replayed = await scrapeCounter(server.httpUrl, "parley_bridge_records_total", { outcome: "duplicate" });
        assert.ok(replayed > 0, `the restart replayed records past the last commit (${replayed})`);
      },
    ),
  );

  it(
    "sends records that cannot become events to the dead-letter topic, and the records after them still arrive",
    withServer(
      () => server,
      async (pool) => {
        const room = uniqueRoom("alerts");
        const secret = uniqueRoom("secret");
        const owner = restAs(server.httpUrl, "owner");
        const created = await owner.call("POST", "/v1/rooms", { id: secret, name: "Secret", type: "private" });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const value = (text: string, at = room) => JSON.stringify({ meta: { room: at }, text });
        const records: KcatRecord[] = [
          { partition: 0, key: "k1", value: value("first") },
          { partition: 0, key: "k2", value: "not json {" },
          { partition: 0, key: "k3", value: value("x".repeat(MAX_MESSAGE_BYTES)) },
          { partition: 0, key: "k4", value: JSON.stringify({ text: "no room" }) },
          { partition: 0, key: "k5", value: value("private", secret) },
          { partition: 0, key: "k6", value: value("last") },
        ];
        await kcatProduce(brokers, alerts, records);

        const reader = await pool.connect({ user: "reader2" });
        await waitUntil(async () => (await readAllHistory(reader, room)).length >= 2, "the good records");
        const history: RoomEvent[] = await readAllHistory(reader, room);
        assert.deepEqual(
          history.map((e) => [e.from, (e.body as { text: string }).text]),
          [
            ["alert-bot", "first"],
            ["alert-bot", "last"],
          ],
        );
        const dead = await waitForDeadLetters(brokers, `${prefix}dead-letters`, 4);
        assert.deepEqual(
          dead.map((d) => [d.key, d.headers.get("parley-error-code")]),
          [
            ["k2", "BAD_JSON"],
            ["k3", "MESSAGE_TOO_LARGE"],
            ["k4", "BAD_REQUEST"],
            ["k5", "FORBIDDEN"],
          ],
        );
        for (const d of dead) {
          assert.equal(d.headers.get("parley-source-topic"), alerts);
          assert.equal(d.headers.get("parley-source-partition"), "0");
          assert.match(d.headers.get("parley-source-offset") ?? "", /^\d+$/);
          assert.ok((d.headers.get("parley-error-message") ?? "").length > 0);
        }
        assert.equal(dead.find((d) => d.key === "k2")?.value, "not json {", "the record itself is kept");
        assert.match(dead.find((d) => d.key === "k4")?.headers.get("parley-error-message") ?? "", /field meta\.room/);
      },
    ),
  );
});

/** The dead letters, in source offset order, once at least `count` are on the topic. */
async function waitForDeadLetters(brokers: string, topic: string, count: number) {
  let found: Awaited<ReturnType<typeof kcatRead>> = [];
  await waitUntil(async () => (found = await kcatRead(brokers, topic)).length >= count, `${count} dead letters`);
  return found.sort(
    (a, b) => Number(a.headers.get("parley-source-offset")) - Number(b.headers.get("parley-source-offset")),
  );
}

/** The texts are 0, 1, 2, …: a prefix of the partition, each once, in order. */
function assertPrefixInOrder(events: readonly RoomEvent[], what: string): void {
  const texts = events.map((e) => (e.body as { text: string }).text);
  assert.deepEqual(
    texts,
    texts.map((_, i) => `${i}`),
    what,
  );
}
