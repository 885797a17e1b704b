import { extractT0, intAfter, send, type Wire, type WireConn, type WireSink } from "./wire.js";

const SEQ = Buffer.from('"seq":');
const ID = Buffer.from('"id":');
const PONG = '{"t":"pong"}';
const c = (s: string) => s.charCodeAt(0);
/**
 * Part of every cmid, new in each generator process: the Kafka scenario's rounds share one cluster's
 * topics, and a cmid repeated from an earlier round is (rightly) a duplicate, acked but not delivered.
 */
const RUN = Math.random().toString(36).slice(2, 8);

/** Parley's JSON frames: connect, sub (with resume position), pub with ack, pong to every ping. */
export const parleyWire: Wire = {
  name: "parley",
  url: (port) => `ws://127.0.0.1:${port}/v1/ws`,
  onOpen(conn) {
    send(conn, JSON.stringify({ t: "connect", versions: [1], user: conn.user }));
  },
  onMessage(conn, data, sink) {
    // Frames start with {"t":"<type>": the 7th and 8th bytes tell the type apart without parsing.
    const a = data[6];
    const b = data[7];
    if (a === c("e") && b === c("v")) return onEvent(conn, data, sink);
    if (a === c("a")) return sink.acked(conn, intAfter(data, ID));
    if (a === c("p") && b === c("i")) return send(conn, PONG);
    if (a === c("c")) return subscribe(conn);
    if (a === c("s")) return onSubscribed(conn, data, sink);
    if (a === c("e")) return sink.failed(conn, data.toString());
  },
  publish(conn, body) {
    const id = conn.nextId++;
    send(conn, `{"t":"pub","id":${id},"room":"${conn.room}","cmid":"${conn.user}-${RUN}-${id}","body":${body}}`);
    return id;
  },
};

function subscribe(conn: WireConn): void {
  const frame: Record<string, unknown> = { t: "sub", id: conn.nextId++, room: conn.room };
  if (conn.resume && conn.epoch) Object.assign(frame, { since: conn.lastSeq, epoch: conn.epoch });
  send(conn, JSON.stringify(frame));
}

function onSubscribed(conn: WireConn, data: Buffer, sink: WireSink): void {
  const frame = JSON.parse(data.toString()) as { epoch: string; lastSeq: number };
  if (!conn.resume) conn.lastSeq = frame.lastSeq;
  conn.epoch = frame.epoch;
  sink.ready(conn);
}

function onEvent(conn: WireConn, data: Buffer, sink: WireSink): void {
  const seq = intAfter(data, SEQ);
  if (seq > conn.lastSeq) conn.lastSeq = seq;
  sink.delivered(conn, extractT0(data));
}
