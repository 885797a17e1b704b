/**
 * The bridge's mapping syntax (each way to pick the room, bad entries as
 * ConfigError), its settings from the configuration, and the pure step from
 * a record to its publish command or dead-letter reason.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CMID_PATTERN, ParleyError } from "@parley/protocol";
import { bridgeSettings, type BridgeConfig } from "#server/bridge/bridge-config.js";
import { permanentRefusal } from "#server/bridge/bridge.js";
import { parseMapping, parseMappings, type TopicMapping } from "#server/bridge/mapping.js";
import { recordCmid, recordCommand, type SourceRecord } from "#server/bridge/record-command.js";
import { ConfigError } from "#server/config/load-config.js";
import { defaultConfig } from "#server/config/options.js";

describe("bridge mapping syntax", () => {
  it("reads each way to pick the room", () => {
    assert.deepEqual(parseMapping("orders room=key author=orders-bot"), {
      topic: "orders",
      room: { from: "key" },
      kind: "message",
      author: "orders-bot",
    });
    assert.deepEqual(parseMapping("ops room=fixed:dm:a:b author=ops kind=alert").room, {
      from: "fixed",
      room: "dm:a:b",
    });
    assert.deepEqual(parseMapping("x room=header:x-room author=bot").room, { from: "header", name: "x-room" });
    assert.deepEqual(parseMapping("  x   room=field:meta.room  author=bot ").room, {
      from: "field",
      path: ["meta", "room"],
    });
    assert.equal(parseMapping("x author=bot kind=order.created room=key").kind, "order.created");
  });

  it("refuses a bad entry with a ConfigError that names it", () => {
    const bad: [string, RegExp][] = [
      ["", /is not a Kafka topic name/],
      ["a/b room=key author=bot", /not a Kafka topic name/],
      ["t author=bot", /room= is missing/],
      ["t room=key", /author= is missing/],
      ["t room=key author=bad user", /unknown word "user"/],
      ["t room=key author=bot color=red", /unknown word "color=red"/],
      ["t room=key room=key author=bot", /room= is given twice/],
      ["t room=fixed: author=bot", /needs a room id/],
      ["t room=header: author=bot", /needs a header name/],
      ["t room=field:a..b author=bot", /dotted field path/],
      ["t room=value author=bot", /is not key, fixed:<room>, header:<name> or field:<path>/],
      ["t room=key author=bot kind=Big", /not an event kind/],
      ["t room=key author=b*t", /not a user id/],
    ];
    for (const [entry, why] of bad) {
      assert.throws(
        () => parseMapping(entry),
        (err: unknown) => err instanceof ConfigError && why.test(err.message) && err.message.includes("format:"),
        entry,
      );
    }
    assert.throws(() => parseMappings(["t room=key author=a", "t room=key author=b"]), /mapped twice/);
  });
});

describe("bridge settings", () => {
  const config = (over: Partial<BridgeConfig>): BridgeConfig => ({ ...defaultConfig(), ...over });

  it("is off without mappings, and defaults the brokers, group and dead-letter topic", () => {
    assert.equal(bridgeSettings(config({})), undefined);
    const s = bridgeSettings(config({ bridgeTopics: ["t room=key author=bot"], kafka: ["k:9092"] }));
    assert.deepEqual([s?.brokers, s?.group, s?.deadLetterTopic], [["k:9092"], "parley.bridge", "parley.dead-letters"]);
    const own = bridgeSettings(
      config({
        bridgeTopics: ["t room=key author=bot"],
        bridgeBrokers: ["b:9092"],
        kafka: ["k:9092"],
        bridgeGroup: "g",
        bridgeDeadLetterTopic: "dl",
      }),
    );
    assert.deepEqual([own?.brokers, own?.group, own?.deadLetterTopic], [["b:9092"], "g", "dl"]);
  });

  it("refuses what cannot work", () => {
    assert.throws(() => bridgeSettings(config({ bridgeTopics: ["t room=key author=bot"] })), ConfigError);
    assert.throws(() => bridgeSettings(config({ bridgeBrokers: ["b:9092"] })), /maps no topic/);
    assert.throws(
      () => bridgeSettings(config({ bridgeTopics: ["parley.dead-letters room=key author=bot"], kafka: ["k:1"] })),
      /would loop/,
    );
  });
});

describe("a record becomes a command or a dead letter", () => {
  const text = (s: string) => Buffer.from(s, "utf8");
  const record = (over: Partial<SourceRecord>): SourceRecord => ({
    topic: "orders",
    partition: 3,
    offset: 41n,
    key: text("k-room"),
    value: text(JSON.stringify({ text: "hi", meta: { room: "f-room" } })),
    headers: new Map([[text("room"), text("h-room")]]),
    ...over,
  });
  const mapping = (room: TopicMapping["room"]): TopicMapping => ({
    topic: "orders",
    room,
    kind: "message",
    author: "bot",
  });

  it("takes the room from the mapping, the key, a header or a JSON field", () => {
    const roomOf = (m: TopicMapping) => {
      const c = recordCommand(record({}), m, "id");
      return "room" in c ? c.room : c.code;
    };
    assert.equal(roomOf(mapping({ from: "fixed", room: "fixed-room" })), "fixed-room");
    assert.equal(roomOf(mapping({ from: "key" })), "k-room");
    assert.equal(roomOf(mapping({ from: "header", name: "room" })), "h-room");
    assert.equal(roomOf(mapping({ from: "field", path: ["meta", "room"] })), "f-room");
    const command = recordCommand(record({}), mapping({ from: "key" }), "id");
    assert.deepEqual(command, {
      room: "k-room",
      cmid: recordCmid(record({}), "id"),
      from: "bot",
      kind: "message",
      body: { text: "hi", meta: { room: "f-room" } },
    });
  });

  it("refuses a record that is not JSON or names no room, with a catalogued code", () => {
    const code = (r: SourceRecord, m = mapping({ from: "key" })): [string, string] => {
      const c = recordCommand(r, m, "id");
      return "code" in c ? [c.code, c.message] : ["ok", ""];
    };
    assert.equal(code(record({ value: text("nope") }))[0], "BAD_JSON");
    assert.equal(code(record({ value: undefined }))[0], "BAD_JSON");
    assert.equal(code(record({ value: Buffer.from([0x7b, 0xff, 0x7d]) }))[0], "BAD_JSON");
    assert.deepEqual(code(record({ key: undefined })), [
      "BAD_REQUEST",
      "the record has no room: the record key is missing",
    ]);
    assert.match(code(record({ key: text("a room") }))[1], /the record key "a room" is not a room id/);
    assert.equal(code(record({ headers: new Map() }), mapping({ from: "header", name: "room" }))[0], "BAD_REQUEST");
    const numeric = record({ value: text(JSON.stringify({ meta: { room: 7 } })) });
    assert.match(code(numeric, mapping({ from: "field", path: ["meta", "room"] }))[1], /field meta\.room is missing/);
    const array = record({ value: text("[1]") });
    assert.equal(code(array, mapping({ from: "field", path: ["0"] }))[0], "BAD_REQUEST");
  });

  it("derives a cmid that fits CMID_PATTERN from the coordinates and the topic's id", () => {
    const long = { topic: "t".repeat(249), partition: 2_147_483_647, offset: 9_223_372_036_854_775_807n };
    const cmid = recordCmid(long, "topic-id");
    assert.match(cmid, new RegExp(CMID_PATTERN));
    assert.equal(cmid, recordCmid({ ...long }, "topic-id"), "the same record, the same cmid");
    assert.notEqual(cmid, recordCmid(long, "recreated-topic-id"));
    assert.notEqual(cmid, recordCmid({ ...long, offset: 1n }, "topic-id"));
  });
});

describe("which publish failures dead-letter a record", () => {
  it("dead-letters refusals, retries transient failures, and gives INTERNAL a few tries", () => {
    assert.deepEqual(permanentRefusal(new ParleyError("FORBIDDEN", "no"), 0), { code: "FORBIDDEN", message: "no" });
    assert.equal(permanentRefusal(new ParleyError("MESSAGE_TOO_LARGE"), 0)?.code, "MESSAGE_TOO_LARGE");
    assert.equal(permanentRefusal(new ParleyError("UNAVAILABLE"), 1_000), undefined);
    assert.equal(permanentRefusal(new ParleyError("SHUTTING_DOWN"), 1_000), undefined);
    assert.equal(permanentRefusal(new Error("boom"), 0), undefined);
    assert.deepEqual(permanentRefusal(new Error("boom"), 4), { code: "INTERNAL", message: "Error: boom" });
  });
});
