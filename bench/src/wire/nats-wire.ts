import { send, type Wire, type WireConn, type WireSink } from "./wire.js";

const CONNECT = JSON.stringify({ verbose: false, pedantic: false, protocol: 1, headers: false, echo: true });

/** NATS subjects cannot hold `:`; DM room ids map to `_`. */
export function natsSubject(room: string): string {
  return room.replaceAll(":", "_");
}

/** The NATS text protocol over WebSocket: INFO, CONNECT + SUB + PING, PONG = subscribed, MSG deliveries. */
export const natsWire: Wire = {
  name: "nats",
  url: (port) => `ws://127.0.0.1:${port}`,
  onOpen() {
    // The server speaks first (INFO).
  },
  onMessage(conn, data, sink) {
    // latin1 keeps one char per byte, so MSG payload sizes index the string directly.
    let text = conn.carry + data.toString("latin1");
    conn.carry = "";
    let at = 0;
    while (at < text.length) {
      const eol = text.indexOf("\r\n", at);
      if (eol < 0) break;
      if (text.startsWith("MSG ", at)) {
        const size = Number(text.slice(text.lastIndexOf(" ", eol) + 1, eol));
        if (eol + 2 + size + 2 > text.length) break;
        sink.delivered(conn, t0Of(text, eol + 2));
        at = eol + 2 + size + 2;
        continue;
      }
      handleLine(conn, text.slice(at, eol), sink);
      at = eol + 2;
    }
    if (at < text.length) conn.carry = text.slice(at);
    text = "";
  },
  publish(conn, body) {
    send(conn, `PUB ${natsSubject(conn.room)} ${Buffer.byteLength(body)}\r\n${body}\r\n`);
    return 0;
  },
};

function handleLine(conn: WireConn, line: string, sink: WireSink): void {
  if (line === "PING") return send(conn, "PONG\r\n");
  if (line === "PONG") return sink.ready(conn);
  if (line.startsWith("INFO ")) {
    return send(conn, `CONNECT ${CONNECT}\r\nSUB ${natsSubject(conn.room)} 1\r\nPING\r\n`);
  }
  if (line.startsWith("-ERR")) sink.failed(conn, line);
}

function t0Of(text: string, from: number): number {
  const at = text.indexOf('"t0":', from);
  if (at < 0) return -1;
  let n = 0;
  for (let i = at + 5; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}
