import type { WebSocket } from "ws";

/** What a wire adapter reports to the load worker that owns the connection. */
export interface WireSink {
  /** The connection is subscribed and may publish. */
  ready(c: WireConn): void;
  /** One message delivered; `t0` is the publisher's send time in µs (monotonic clock shared by processes). */
  delivered(c: WireConn, t0: number): void;
  /** A publish was acknowledged (Parley only). */
  acked(c: WireConn, id: number): void;
  failed(c: WireConn, why: string): void;
}

/** One generator connection, as every wire adapter sees it. */
export interface WireConn {
  readonly user: string;
  readonly room: string;
  ws: WebSocket | undefined;
  /** Per-room resume position (Parley only). */
  lastSeq: number;
  epoch: string | undefined;
  /** Resume from `lastSeq`/`epoch` on the next handshake (Parley only). */
  resume: boolean;
  nextId: number;
  /** Parser carry-over between frames (NATS only). */
  carry: string;
}

/**
 * One system's protocol spoken over the same minimal `ws` client, so the
 * generator's cost per message is alike for every system. Deliveries are
 * found by scanning the frame for the body's `"t0":` field, not by parsing it.
 */
export interface Wire {
  readonly name: SystemName;
  url(port: number): string;
  onOpen(c: WireConn): void;
  onMessage(c: WireConn, data: Buffer, sink: WireSink): void;
  /** Publishes `body` (a JSON object text) to the connection's room; returns the request id when acked. */
  publish(c: WireConn, body: string): number;
}

/** `parley-base` is a baseline Parley build (`--baseline=<cli>`), for A/B of hot-path changes in one run. */
/** `centrifugo` is Centrifugo 6 (memory engine) over its JSON WebSocket protocol; not in the default set (a Go build). */
/**
 * `parley-kafka` is cluster mode (Kafka + PostgreSQL) in one process (`--role all`); `parley-kafka-split`
 * the same roles as separate processes (a sequencer, a sink, two gateways). The kafka scenario runs both.
 * `parley-kafka-base` is `--role all` of the baseline build (`--baseline=<cli>`), for a same-run A/B.
 */
export type SystemName =
  | "parley"
  | "parley-normal"
  | "socketio"
  | "nats"
  | "ws"
  | "centrifugo"
  | "parley-base"
  | "parley-kafka"
  | "parley-kafka-base"
  | "parley-kafka-split";
/**
 * The systems a run compares by default. `parley` runs with its defaults (durability full: an fsync per
 * group commit); `parley-normal` with `--durability normal` (survives a process crash, not power loss).
 */
export const SYSTEMS: readonly SystemName[] = ["parley", "parley-normal", "ws", "nats", "socketio"];
/** Every system, in report order. */
export const ALL_SYSTEMS: readonly SystemName[] = [
  "parley",
  "parley-normal",
  "parley-base",
  "parley-kafka",
  "parley-kafka-base",
  "parley-kafka-split",
  "ws",
  "centrifugo",
  "nats",
  "socketio",
];

const T0 = Buffer.from('"t0":');

/** The integer after `"t0":` in `data`, or -1. */
export function extractT0(data: Buffer, from = 0): number {
  return intAfter(data, T0, from);
}

/** The non-negative integer right after the first `key` at or after `from` in `data`, or -1 when `key` is absent. */
export function intAfter(data: Buffer, key: Buffer, from = 0): number {
  const at = data.indexOf(key, from);
  if (at < 0) return -1;
  let n = 0;
  for (const byte of data.subarray(at + key.length)) {
    const d = byte - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}

/** Sends `text` on the connection's socket, which every wire callback runs after. */
export function send(conn: WireConn, text: string): void {
  if (!conn.ws) throw new Error(`${conn.user}: no socket yet`);
  conn.ws.send(text);
}

/** Monotonic microseconds; CLOCK_MONOTONIC is shared by all processes on the machine. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The body every system carries: a send timestamp and ~90 bytes of text. */
export function messageBody(t0: number, bytes = 0): string {
  const body = `{"t0":${t0},"text":"The quick brown fox jumps over the lazy dog; a chat message of about a hundred bytes."}`;
  // Padded with spaces inside the text to `bytes` when asked (the routing bench's ~200-byte payloads).
  return body.length >= bytes ? body : `${body.slice(0, -2)}${" ".repeat(bytes - body.length)}"}`;
}
