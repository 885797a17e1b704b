import { createHmac } from "node:crypto";
import { extractT0, intAfter, send, type Wire, type WireConn, type WireSink } from "./wire.js";

/**
 * The HMAC key the bench's Centrifugo config verifies connection tokens with. A constant, not a secret:
 * the server it guards listens on loopback for one benchmark round.
 */
export const CENTRIFUGO_TOKEN_KEY = "parley-bench-centrifugo-hmac";

const NL = 0x0a;
const ID = Buffer.from('"id":');
const PING = "{}";

/** Centrifugo channels use `:` as the namespace separator: DM room ids map it to `_` (as for NATS subjects). */
export function centrifugoChannel(room: string): string {
  return room.replaceAll(":", "_");
}

/** An HS256 JWT with `sub` = the user, what Centrifugo's `client.token.hmac_secret_key` verifies. */
export function connectionToken(user: string, key = CENTRIFUGO_TOKEN_KEY): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const unsigned = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub: user })}`;
  return `${unsigned}.${createHmac("sha256", key).update(unsigned).digest("base64url")}`;
}

/**
 * Centrifugo's JSON protocol (v2) over WebSocket: connect with a token, subscribe, publish from the client
 * with a reply (the ack), pushes for deliveries, and `{}` answered to the server's `{}` ping. The server
 * batches replies and pushes into one frame, one JSON object a line, so every line is looked at.
 */
export const centrifugoWire: Wire = {
  name: "centrifugo",
  url: (port) => `ws://127.0.0.1:${port}/connection/websocket`,
  onOpen(conn) {
    send(conn, JSON.stringify({ id: conn.nextId++, connect: { token: connectionToken(conn.user), name: "bench" } }));
  },
  onMessage(conn, data, sink) {
    for (let at = 0; at < data.length;) {
      let end = data.indexOf(NL, at);
      if (end < 0) end = data.length;
      onLine(conn, data.subarray(at, end), sink);
      at = end + 1;
    }
  },
  publish(conn, body) {
    const id = conn.nextId++;
    send(conn, `{"id":${id},"publish":{"channel":"${centrifugoChannel(conn.room)}","data":${body}}}`);
    return id;
  },
};

/** One JSON object: a push (`{"push"`), a ping (`{}`) or a reply (`{"id":N,"<method>"` or `"error"`). */
function onLine(conn: WireConn, line: Buffer, sink: WireSink): void {
  if (line.length === 0) return;
  if (line.length === 2) return send(conn, PING);
  if (line[2] === 0x70 /* {"push */) return onPush(conn, line, sink);
  // The method name follows the id: `{"id":12,"publish":{}}`. Only the line's head is decoded.
  const head = line.toString("latin1", 0, 40);
  if (head.includes('"error"')) return sink.failed(conn, line.toString());
  if (head.includes('"publish"')) return sink.acked(conn, intAfter(line, ID));
  if (head.includes('"connect"')) return send(conn, subscribeFrame(conn));
  if (head.includes('"subscribe"')) return sink.ready(conn);
}

function subscribeFrame(conn: WireConn): string {
  return JSON.stringify({ id: conn.nextId++, subscribe: { channel: centrifugoChannel(conn.room) } });
}

/** A publication carries the body's `"t0":`; any other push (a disconnect) is a failure worth seeing. */
function onPush(conn: WireConn, line: Buffer, sink: WireSink): void {
  const t0 = extractT0(line);
  if (t0 >= 0) sink.delivered(conn, t0);
  else sink.failed(conn, line.toString());
}
