import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { answerTo } from "./echo.js";
import { eventOf } from "./events-reader.js";

const event = (body: unknown, over: Partial<RoomEvent> = {}): RoomEvent => ({
  room: "general",
  seq: 7,
  id: "01JEVENT",
  from: "ann",
  ts: 1,
  kind: "message",
  body: body as RoomEvent["body"],
  cmid: "c7",
  ...over,
});

test("answers `!echo <text>` with the text, as a reply, under a cmid derived from the command", () => {
  assert.deepEqual(answerTo(event({ text: "!echo hello there" }), "echo-bot"), {
    from: "echo-bot",
    cmid: "echo-01JEVENT",
    body: { text: "hello there", replyTo: 7 },
  });
  assert.deepEqual(answerTo(event({ text: "!echo" }), "echo-bot")?.body, { text: "(nothing to echo)", replyTo: 7 });
});

test("answers nothing else, and never itself (loop guard)", () => {
  for (const body of [{ text: "hello" }, { text: "!echoes" }, { text: "say !echo x" }, "!echo x", null, { text: 5 }])
    assert.equal(answerTo(event(body), "echo-bot"), undefined, JSON.stringify(body));
  assert.equal(answerTo(event({ text: "!echo x" }, { from: "echo-bot" }), "echo-bot"), undefined);
  assert.equal(answerTo(event({ text: "!echo x" }, { kind: "edit" }), "echo-bot"), undefined);
});

test("reads `event` records of format 1 only", () => {
  const record = (headers: Record<string, string>) => ({
    headers: new Map(Object.entries(headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
    value: Buffer.from(JSON.stringify(event({ text: "x" }))),
    offset: 0n,
    partition: 0,
  });
  const skipped: string[] = [];
  assert.equal(eventOf(record({ "parley-v": "1", "parley-t": "event" }), (s) => skipped.push(s))?.seq, 7);
  assert.equal(
    eventOf(record({ "parley-v": "1", "parley-t": "duplicate" }), (s) => skipped.push(s)),
    undefined,
  );
  assert.equal(
    eventOf(record({ "parley-v": "2", "parley-t": "event" }), (s) => skipped.push(s)),
    undefined,
  );
  assert.equal(skipped.length, 1, "an unknown format is logged, a duplicate marker silently skipped");
});
