/**
 * The Centrifugo wire on raw frames (no server, so no Go build): Centrifugo puts several replies and pushes
 * into one WebSocket frame, one JSON object a line, and each must be seen.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import type { WebSocket } from "ws";
import { centrifugoWire, connectionToken } from "../wire/centrifugo-wire.js";
import type { WireConn, WireSink } from "../wire/wire.js";

function harness(room = "r1") {
  const sent: string[] = [];
  const seen: string[] = [];
  const conn: WireConn = {
    ...{ user: "u1", room, lastSeq: 0, epoch: undefined, resume: false, nextId: 1, carry: "" },
    ws: { send: (text: string) => sent.push(text) } as unknown as WebSocket,
  };
  const sink: WireSink = {
    ready: () => seen.push("ready"),
    delivered: (_c, t0) => seen.push(`delivered ${t0}`),
    acked: (_c, id) => seen.push(`acked ${id}`),
    failed: (_c, why) => seen.push(`failed ${why}`),
  };
  const feed = (text: string) => centrifugoWire.onMessage(conn, Buffer.from(text), sink);
  return { conn, sent, seen, feed };
}

test("centrifugo wire: connect, subscribe, then ready", () => {
  const { conn, sent, seen, feed } = harness("dm:u1:u2");
  centrifugoWire.onOpen(conn);
  assert.match(sent[0]!, /^\{"id":1,"connect":\{"token":"[\w-]+\.[\w-]+\.[\w-]+","name":"bench"\}\}$/);
  feed('{"id":1,"connect":{"client":"c1","version":"6.9.1","ping":25,"pong":true}}');
  // `:` is Centrifugo's namespace separator: DM rooms travel as `_`.
  assert.equal(sent[1], '{"id":2,"subscribe":{"channel":"dm_u1_u2"}}');
  feed('{"id":2,"subscribe":{}}');
  assert.deepEqual(seen, ["ready"]);
});

test("centrifugo wire: a batched frame yields every push and reply, and a ping is answered", () => {
  const { conn, sent, seen, feed } = harness();
  const id = centrifugoWire.publish(conn, '{"t0":5,"text":"x"}');
  assert.equal(sent[0], `{"id":${id},"publish":{"channel":"r1","data":{"t0":5,"text":"x"}}}`);
  const push = (t0: number) => `{"push":{"channel":"r1","pub":{"data":{"t0":${t0},"text":"x"},"info":{"user":"u1"}}}}`;
  feed([push(5), `{"id":${id},"publish":{}}`, push(6), "{}"].join("\n"));
  assert.deepEqual(seen, ["delivered 5", `acked ${id}`, "delivered 6"]);
  assert.equal(sent[1], "{}");
});

test("centrifugo wire: an error reply and a disconnect push are failures", () => {
  const { seen, feed } = harness();
  feed('{"id":3,"error":{"code":103,"message":"permission denied"}}\n{"push":{"disconnect":{"code":3501}}}');
  assert.equal(seen.length, 2);
  assert.ok(seen.every((s) => s.startsWith("failed ")));
});

test("centrifugo wire: the connection token is an HS256 JWT over the user", () => {
  const [head, payload, sig] = connectionToken("u7", "k").split(".");
  assert.deepEqual(JSON.parse(Buffer.from(payload!, "base64url").toString()), { sub: "u7" });
  assert.deepEqual(JSON.parse(Buffer.from(head!, "base64url").toString()), { alg: "HS256", typ: "JWT" });
  assert.equal(sig, createHmac("sha256", "k").update(`${head}.${payload}`).digest("base64url"));
});
