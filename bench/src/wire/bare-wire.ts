import { extractT0, send, type Wire } from "./wire.js";

/** The bare `ws` loop's own minimal framing: `{"j":room}` joins, `{"p":room,"b":body}` is relayed as is. */
export const bareWire: Wire = {
  name: "ws",
  url: (port) => `ws://127.0.0.1:${port}/`,
  onOpen(conn) {
    send(conn, `{"j":"${conn.room}"}`);
  },
  onMessage(conn, data, sink) {
    if (data[2] === 0x6f /* {"ok" */) return sink.ready(conn);
    sink.delivered(conn, extractT0(data));
  },
  publish(conn, body) {
    send(conn, `{"p":"${conn.room}","b":${body}}`);
    return 0;
  },
};
