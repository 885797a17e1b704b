import { extractT0, send, type Wire } from "./wire.js";

/**
 * Engine.IO 4 / Socket.IO 5 text framing over a plain WebSocket: `0{..}` open,
 * `40` namespace connect, `2`/`3` ping/pong, `42["event",..]`, `43<id>[..]` ack.
 */
export const socketioWire: Wire = {
  name: "socketio",
  url: (port) => `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
  onOpen() {
    // The server speaks first (`0{"sid":..}`).
  },
  onMessage(conn, data, sink) {
    const a = data[0];
    if (a === 0x32 /* 2: ping */) return send(conn, "3");
    if (a === 0x30 /* 0: open */) return send(conn, "40");
    if (a !== 0x34 /* 4: socket.io packet */) return;
    const b = data[1];
    if (b === 0x32 /* 42: event */) return sink.delivered(conn, extractT0(data));
    if (b === 0x30 /* 40: connected */) return send(conn, `421["join","${conn.room}"]`);
    if (b === 0x33 /* 43: ack of join */) return sink.ready(conn);
    if (b === 0x34 /* 44: connect error */) return sink.failed(conn, data.toString());
  },
  publish(conn, body) {
    send(conn, `42["pub","${conn.room}",${body}]`);
    return 0;
  },
};
