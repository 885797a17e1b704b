/**
 * The Kafka record format (kafka/records.ts) and the sink's reading of it
 * (sink/sink-decode.ts), and routing-records.ts' join records: what is encoded decodes to the same thing, whether
 * the headers come as the producer's Map or as the fetch response's pairs,
 * and anything else decodes to undefined rather than throwing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import {
  decodeCommand,
  decodeEventsRecord,
  encodeCommand,
  encodeEventsRecord,
  EVENTS_FORMAT_VERSION,
  HEADER,
} from "#server/kafka/records.js";
import { decodeJoin, encodeJoin } from "#server/kafka/routing-records.js";
import { decodeEventRecord } from "#server/sink/sink-decode.js";

const event: RoomEvent = {
  room: "r1",
  seq: 7,
  id: "e7",
  from: "u1",
  ts: 1_700_000_000_000,
  kind: "message",
  body: { text: "hé" },
  cmid: "c7",
};
/** Headers as a fetch response carries them: [name, value] pairs, copied so no Buffer is shared with the encoder. */
const asPairs = (m: Map<Buffer, Buffer>) => [...m].map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const);
/** A record's headers as text, the way an outside consumer of the events topic reads them. */
const asText = (m: Map<Buffer, Buffer>) => new Map([...m].map(([k, v]) => [k.toString("utf8"), v.toString("utf8")]));

test("a command decodes to what was encoded, with its request id", () => {
  const command = { room: "r1", cmid: "c1", from: "u1", kind: "message" as const, body: { text: "hi" } };
  const rec = encodeCommand("t.commands", 2, command, "gw:1");
  assert.equal(rec.key.toString(), "r1");
  const expected = { command, rid: "gw:1" };
  assert.deepEqual(decodeCommand(rec.value, rec.headers), expected);
  assert.deepEqual(decodeCommand(rec.value, asPairs(rec.headers)), expected);
  assert.deepEqual(decodeCommand(rec.value, []), { command, rid: "" });
  assert.equal(decodeCommand(Buffer.from("{not json"), []), undefined);
  assert.equal(decodeCommand(Buffer.from('{"room":1}'), []), undefined);
});

test("events and duplicate markers decode to what was encoded; the header names and version are the contract's", () => {
  const rec = encodeEventsRecord("t.events", 0, { type: "event", event, epoch: "ep", rid: "gw:2" });
  assert.deepEqual(Object.fromEntries(asText(rec.headers)), {
    [HEADER.type]: "event",
    [HEADER.rid]: "gw:2",
    [HEADER.version]: EVENTS_FORMAT_VERSION,
    [HEADER.epoch]: "ep",
  });
  assert.deepEqual(decodeEventsRecord(rec.value, asPairs(rec.headers)), {
    type: "event",
    event,
    epoch: "ep",
    rid: "gw:2",
  });
  const dup = encodeEventsRecord("t.events", 0, { type: "duplicate", event, rid: "gw:3" });
  assert.equal(asText(dup.headers).has(HEADER.epoch), false);
  assert.deepEqual(decodeEventsRecord(dup.value, asPairs(dup.headers)), { type: "duplicate", event, rid: "gw:3" });
});

test("an events record of another kind, or with the last of repeated headers unknown, is not Parley's", () => {
  const rec = encodeEventsRecord("t.events", 0, { type: "event", event, epoch: "ep", rid: "gw:2" });
  const pairs = asPairs(rec.headers);
  const retyped = [...pairs, [Buffer.from(HEADER.type), Buffer.from("other")] as const];
  assert.equal(decodeEventsRecord(rec.value, retyped), undefined);
  assert.equal(decodeEventsRecord(rec.value, []), undefined);
  assert.equal(decodeEventsRecord(Buffer.from('{"room":"r1"}'), pairs), undefined);
});

test("the sink stores events with their epoch and skips duplicate markers", () => {
  const rec = encodeEventsRecord("t.events", 0, { type: "event", event, epoch: "ep", rid: "gw:2" });
  const headers = new Map(asPairs(rec.headers));
  assert.deepEqual(decodeEventRecord(rec.value, headers), { event, epoch: "ep" });
  const dup = encodeEventsRecord("t.events", 0, { type: "duplicate", event, rid: "gw:3" });
  assert.equal(decodeEventRecord(dup.value, new Map(asPairs(dup.headers))), undefined);
  assert.deepEqual(decodeEventRecord(rec.value, new Map()), { event });
});

test("a join record decodes to what was encoded; an events record or a bare value is not a join", () => {
  const answer = { room: "r1", last: 7, events: [event] };
  const rec = encodeJoin("t.gateway.g1", answer);
  assert.equal(asText(rec.headers).get(HEADER.type), "join");
  assert.deepEqual(decodeJoin(rec.value, asPairs(rec.headers)), answer);
  const other = encodeEventsRecord("t.events", 0, { type: "event", event, epoch: "ep", rid: "gw:2" });
  assert.equal(decodeJoin(other.value, asPairs(other.headers)), undefined);
  assert.equal(decodeJoin(rec.value, []), undefined);
});
