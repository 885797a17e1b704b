/**
 * A load-generator process: holds its share of the connections, publishes at
 * a given rate, and records publish→deliver and publish→ack latency. Driven
 * by the runner over IPC (see messages.ts); every command is bounded in time.
 */
import { WebSocket } from "ws";
import { encodeHistogram, newHistogram } from "../histogram.js";
import { wireFor } from "../wire/wires.js";
import { messageBody, nowUs, type Wire, type WireConn, type WireSink } from "../wire/wire.js";
import type { OpenResult, PortedSpec, ResumeResult, WorkerReport, WorkerRequest } from "./messages.js";

class Conn implements WireConn {
  ws: WebSocket | undefined;
  lastSeq = 0;
  epoch: string | undefined;
  resume = false;
  nextId = 1;
  carry = "";
  isReady = false;
  readonly sentAt = new Map<number, number>();
  onReady: (() => void) | undefined;
  constructor(
    readonly user: string,
    readonly room: string,
    readonly addr: string,
    readonly port: number,
  ) {}
}

let wire: Wire | undefined;
let conns: Conn[] = [];
let sinceUs = Number.MAX_SAFE_INTEGER;
let latency = newHistogram();
let ack = newHistogram();
let delivered = 0;
let acked = 0;
const failures: string[] = [];
/** Called on every ack (closed-loop publishing refills its window here). */
let onAck: ((c: Conn) => void) | undefined;

/** The wire of the system being measured; every command but `open` comes after an `open`. */
function openedWire(): Wire {
  if (!wire) throw new Error("no wire yet: the runner sends 'open' first");
  return wire;
}

/** The connection with local index `i` (the runner's `pubs` are indexes into this worker's share). */
function connAt(i: number | undefined): Conn {
  const conn = i === undefined ? undefined : conns[i];
  if (!conn) throw new Error(`no connection ${i} in this worker (it holds ${conns.length})`);
  return conn;
}

const sink: WireSink = {
  ready(c) {
    const conn = c as Conn;
    conn.isReady = true;
    conn.onReady?.();
    checkCaughtUp(conn);
  },
  delivered(c, t0) {
    if (watching) checkCaughtUp(c as Conn);
    if (t0 < sinceUs) return;
    delivered++;
    latency.recordValue(Math.max(1, nowUs() - t0));
  },
  acked(c, id) {
    const conn = c as Conn;
    const t0 = conn.sentAt.get(id);
    if (t0 === undefined) return;
    conn.sentAt.delete(id);
    if (t0 >= sinceUs) {
      acked++;
      ack.recordValue(Math.max(1, nowUs() - t0));
    }
    onAck?.(conn);
  },
  failed(_c, why) {
    if (failures.length < 20) failures.push(why.slice(0, 200));
  },
};

/** Opens one connection and resolves once it is subscribed, or failed/timed out (false). */
function connect(conn: Conn): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.onReady = undefined;
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 30_000);
    conn.isReady = false;
    conn.carry = "";
    conn.onReady = () => done(true);
    const w = openedWire();
    const ws = new WebSocket(w.url(conn.port), {
      perMessageDeflate: false,
      localAddress: conn.addr,
      skipUTF8Validation: true,
      handshakeTimeout: 20_000,
    });
    conn.ws = ws;
    ws.on("open", () => w.onOpen(conn));
    ws.on("message", (data: Buffer) => w.onMessage(conn, data, sink));
    ws.on("error", (err) => sink.failed(conn, err.message));
    ws.on("close", () => done(false));
  });
}

/** Connects `list` with at most `concurrency` handshakes in flight. */
async function connectAll(list: Conn[], concurrency: number, onEach?: (c: Conn, ok: boolean) => void) {
  const queue = list.values(); // shared by the lanes: each takes the next connection
  let ok = 0;
  const lane = async () => {
    for (const conn of queue) {
      const good = await connect(conn);
      if (good) ok++;
      onEach?.(conn, good);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
  return ok;
}

async function open(specs: PortedSpec[], addrs: string[], concurrency: number): Promise<OpenResult> {
  const start = performance.now();
  // Connections take the local addresses in turn (each address has its own ephemeral port range).
  const addr = (i: number): string => {
    const a = addrs[i % addrs.length];
    if (a === undefined) throw new Error("open needs at least one local address");
    return a;
  };
  conns = specs.map((s, i) => new Conn(s.user, s.room, addr(i), s.port));
  const ok = await connectAll(conns, concurrency);
  return { ok, failed: conns.length - ok, ms: Math.round(performance.now() - start) };
}

function sendOne(conn: Conn, bodyBytes = 0): void {
  if (!conn.isReady || conn.ws?.readyState !== WebSocket.OPEN) return;
  const t0 = nowUs();
  const id = openedWire().publish(conn, messageBody(t0, bodyBytes));
  if (id > 0) conn.sentAt.set(id, t0);
}

/** Open loop: `rate` publishes/s spread round-robin over `pubs`, for `ms`, bodies of at least `bodyBytes`. */
function publish(pubs: number[], rate: number, ms: number, bodyBytes?: number): Promise<{ sent: number }> {
  return new Promise((resolve) => {
    const start = performance.now();
    let sent = 0;
    const step = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed / 1000) * rate), Math.floor((ms / 1000) * rate));
      for (; sent < due; sent++) sendOne(connAt(pubs[sent % pubs.length]), bodyBytes);
      if (elapsed >= ms) return resolve({ sent });
      setTimeout(step, 1);
    };
    step();
  });
}

/** Closed loop: each publisher keeps `window` publishes in flight for `ms`. */
function closedLoop(pubs: number[], window: number, ms: number): Promise<{ sent: number }> {
  return new Promise((resolve) => {
    const end = performance.now() + ms;
    let sent = 0;
    onAck = (c) => {
      if (performance.now() < end) (sendOne(c), sent++);
    };
    for (const i of pubs) for (let k = 0; k < window; k++) (sendOne(connAt(i)), sent++);
    setTimeout(() => {
      onAck = undefined;
      resolve({ sent });
    }, ms);
  });
}

function report(): WorkerReport {
  return { delivered, acked, latency: encodeHistogram(latency), ack: encodeHistogram(ack), failures };
}

async function drop(): Promise<void> {
  await Promise.all(
    conns.map(
      (c) =>
        new Promise<void>((resolve) => {
          const ws = c.ws;
          c.isReady = false;
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once("close", () => resolve());
          setTimeout(() => (ws.terminate(), resolve()), 5_000).unref();
          ws.close(1000);
        }),
    ),
  );
}

function heads(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of conns) out[c.room] = Math.max(out[c.room] ?? 0, c.lastSeq);
  return out;
}

interface ResumeWatch {
  readonly targets: Record<string, number>;
  readonly start: number;
  readonly times: number[];
  readonly done: Set<Conn>;
  finish?: () => void;
}
let watching: ResumeWatch | undefined;

/** Called on every delivery and subscription while a resume runs: records a client once it has caught up. */
function checkCaughtUp(conn: Conn): void {
  const w = watching;
  if (!w || w.done.has(conn) || conn.lastSeq < (w.targets[conn.room] ?? 0)) return;
  w.done.add(conn);
  w.times.push(performance.now() - w.start);
  if (w.done.size === conns.length) w.finish?.();
}

/** Reconnects every connection with its resume position; times each until it has seen its room's target seq. */
async function resume(targets: Record<string, number>, timeoutMs: number): Promise<ResumeResult> {
  const w: ResumeWatch = { targets, start: performance.now(), times: [], done: new Set() };
  watching = w;
  for (const c of conns) c.resume = true;
  const all = new Promise<void>((resolve) => {
    w.finish = resolve;
    setTimeout(resolve, timeoutMs).unref();
  });
  await connectAll(conns, 256);
  await all;
  watching = undefined;
  const times = w.times.sort((a, b) => a - b);
  const at = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? -1);
  return { caughtUp: times.length, total: conns.length, maxMs: at(1), p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case "open":
      wire = wireFor(req.system);
      return open(req.conns, req.addrs, req.concurrency);
    case "measure":
      sinceUs = req.sinceUs;
      latency = newHistogram();
      ack = newHistogram();
      delivered = 0;
      acked = 0;
      return {};
    case "publish":
      return publish(req.pubs, req.rate, req.ms, req.bodyBytes);
    case "closed-loop":
      return closedLoop(req.pubs, req.window, req.ms);
    case "report":
      return report();
    case "drop":
      return drop();
    case "heads":
      return heads();
    case "resume":
      return resume(req.targets, req.timeoutMs);
    case "exit":
      setImmediate(() => process.exit(0));
      return {};
  }
}

const reply = process.send?.bind(process);
if (!reply) throw new Error("the load worker runs as a forked child of the runner (it needs the IPC channel)");
process.on("message", (req: WorkerRequest) => {
  handle(req).then(
    (result) => reply({ rid: req.rid, result }),
    (err: unknown) => reply({ rid: req.rid, error: String(err) }),
  );
});
// The runner going away must not leave a generator behind.
process.on("disconnect", () => process.exit(0));
