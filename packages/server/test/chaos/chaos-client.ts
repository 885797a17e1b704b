/**
 * A chaos workload client on the raw protocol: it reconnects, resumes every
 * room with `since`/`epoch`, and retries every publish by cmid until acked,
 * recording exactly what the server sent. It deliberately does not use
 * @parley/client: the SDK drops duplicates and repairs gaps, which would hide
 * the very server faults the history checker looks for.
 */
import WebSocket, { type RawData } from "ws";
import type { ServerFrame } from "@parley/protocol";
import type { ChaosRecorder } from "./recorder.js";
import type { PublishRecord, SubscriptionRecord } from "./history.js";

/** Options for {@link ChaosClient}. */
export interface ChaosClientOptions {
  readonly name: string;
  /** Read at every (re)connect: the proxy or server may move. */
  readonly url: () => string;
  readonly token: string;
  readonly recorder: ChaosRecorder;
  /** Whether this client's token lets it read `room` (for the unauthorized-read check). */
  readonly mayRead: (room: string) => boolean;
  /** No frame for this long: the link is dead, reconnect (the server pings every heartbeatMs). */
  readonly deadAfterMs?: number;
  /** Told of each publish's first ack (the workload picks edit and reaction targets from them). */
  readonly onAcked?: (record: PublishRecord, seq: number) => void;
}

type Inflight = { kind: "pub"; cmid: string } | { kind: "sub"; room: string };

interface RoomState {
  lastSeq: number;
  epoch: string | undefined;
  active: boolean;
  record: SubscriptionRecord;
}

/** One workload connection; see the file comment. */
export class ChaosClient {
  /** Connections that reached `connected`. */
  sessions = 0;
  private ws: WebSocket | undefined;
  private connected = false;
  private stopped = false;
  private nextId = 1;
  private lastFrameAt = Date.now();
  private readonly pending = new Map<string, PublishRecord>();
  private readonly inflight = new Map<number, Inflight>();
  private readonly rooms = new Map<string, RoomState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly watchdog: NodeJS.Timeout;
  private publishCount = 0;

  constructor(private readonly options: ChaosClientOptions) {
    this.watchdog = setInterval(() => this.checkAlive(), 250);
  }

  get name(): string {
    return this.options.name;
  }

  /** Publishes not yet acked nor refused. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Starts connecting; reconnects by itself until {@link stop}. */
  start(): void {
    this.open();
  }

  /** Subscribes to `room` from seq 0 (the whole history), now and after every reconnect. */
  subscribe(room: string): void {
    const record = this.options.recorder.subscription(this.name, room, 0, this.options.mayRead(room));
    record.stayed = true;
    this.rooms.set(room, { lastSeq: 0, epoch: undefined, active: true, record });
    if (this.connected) this.sendSub(room);
  }

  /** Unsubscribes for good: the record no longer has to see everything. */
  leave(room: string): void {
    const state = this.rooms.get(room);
    if (!state?.active) return;
    state.active = false;
    state.record.stayed = false;
    if (this.connected) this.send({ t: "unsub", id: this.nextId++, room });
  }

  /** Queues an event of `kind`; it is sent now and re-sent after every reconnect until acked or refused. */
  publish(room: string, body: unknown, kind = "message"): string {
    const cmid = `${this.name}-${++this.publishCount}`;
    const record = this.options.recorder.publish({ client: this.name, room, cmid, kind, body });
    this.pending.set(cmid, record);
    if (this.connected) this.sendPub(cmid);
    return cmid;
  }

  /** The last contiguous seq received in `room` (0 before any). */
  lastSeq(room: string): number {
    return this.rooms.get(room)?.lastSeq ?? 0;
  }

  /** Rooms this client is subscribed to. */
  activeRooms(): string[] {
    return [...this.rooms].filter(([, s]) => s.active && s.record.mayRead).map(([room]) => room);
  }

  /** Drops the connection from the client side (a resume fault); it reconnects by itself. */
  dropConnection(): boolean {
    if (!this.ws || !this.connected) return false;
    this.ws.terminate();
    return true;
  }

  /** Closes for good. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.watchdog);
    for (const timer of this.timers) clearTimeout(timer);
    this.ws?.terminate();
  }

  private open(): void {
    if (this.stopped) return;
    const ws = new WebSocket(this.options.url(), { perMessageDeflate: false });
    this.ws = ws;
    this.lastFrameAt = Date.now();
    ws.on("open", () => this.send({ t: "connect", id: this.nextId++, versions: [1], token: this.options.token }));
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("error", () => undefined); // surfaces as close
    ws.on("close", () => this.onClose(ws));
  }

  private onClose(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.connected = false;
    this.inflight.clear();
    // A short, jittered pause: long enough not to spin while the server restarts.
    this.after(50 + Math.random() * 250, () => this.open());
  }

  private checkAlive(): void {
    if (this.ws && Date.now() - this.lastFrameAt > (this.options.deadAfterMs ?? 3_000)) {
      this.lastFrameAt = Date.now();
      this.ws.terminate();
    }
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    this.lastFrameAt = Date.now();
    if (isBinary) return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data.toString()) as ServerFrame;
    } catch {
      return; // a torn frame cannot reach here: ws validates framing
    }
    this.onFrame(frame);
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.t) {
      case "connected":
        return this.onConnected();
      case "subscribed": {
        const state = this.rooms.get(frame.room);
        if (!state) return;
        state.record.epochs.push(frame.epoch);
        if (!frame.recovered) state.record.notRecovered++;
        state.epoch = frame.epoch;
        return void this.inflight.delete(frame.id);
      }
      case "event":
        return this.onEvent(frame.room, frame.seq, frame.cmid, frame.id);
      case "ack":
        return this.onAck(frame.id, frame.cmid, frame.seq);
      case "error":
        return this.onError(frame.id, frame.code, frame.retryable);
      case "ping":
        return this.send(frame.id === undefined ? { t: "pong" } : { t: "pong", id: frame.id });
      default:
    }
  }

  private onConnected(): void {
    this.connected = true;
    this.sessions++;
    for (const [room, state] of this.rooms) if (state.active) this.sendSub(room);
    for (const cmid of this.pending.keys()) this.sendPub(cmid);
  }

  private onEvent(room: string, seq: number, cmid: string, id: string): void {
    let state = this.rooms.get(room);
    if (!state) {
      // An event for a room never subscribed: recorded so the checker sees it.
      const record = this.options.recorder.subscription(this.name, room, 0, this.options.mayRead(room));
      this.rooms.set(room, (state = { lastSeq: 0, epoch: undefined, active: false, record }));
    }
    state.record.events.push({ seq, cmid, id });
    if (seq === state.lastSeq + 1) state.lastSeq = seq;
  }

  private onAck(id: number, cmid: string, seq: number): void {
    this.inflight.delete(id);
    const record = this.pending.get(cmid) ?? this.options.recorder.findPublish(cmid);
    record?.acks.push(seq);
    if (record?.acks.length === 1) this.options.onAcked?.(record, seq);
    this.pending.delete(cmid);
  }

  private onError(id: number | undefined, code: string, retryable: boolean): void {
    const request = id === undefined ? undefined : this.inflight.get(id);
    if (id !== undefined) this.inflight.delete(id);
    if (request?.kind === "pub") {
      const record = this.pending.get(request.cmid);
      if (!record) return;
      if (retryable) this.after(100 + Math.random() * 400, () => this.retry(request.cmid));
      else {
        record.error = code;
        this.pending.delete(request.cmid);
      }
    } else if (request?.kind === "sub") {
      const state = this.rooms.get(request.room);
      if (state && !retryable) state.active = false;
      if (state && !retryable) state.record.stayed = false;
      if (state && retryable) this.after(200, () => this.connected && state.active && this.sendSub(request.room));
    }
  }

  private retry(cmid: string): void {
    if (this.connected && this.pending.has(cmid)) this.sendPub(cmid);
  }

  private sendSub(room: string): void {
    const state = this.rooms.get(room)!;
    const id = this.nextId++;
    this.inflight.set(id, { kind: "sub", room });
    const resume = state.epoch === undefined ? {} : { epoch: state.epoch };
    this.send({ t: "sub", id, room, since: state.lastSeq, ...resume });
  }

  private sendPub(cmid: string): void {
    const p = this.pending.get(cmid)!;
    const id = this.nextId++;
    this.inflight.set(id, { kind: "pub", cmid });
    this.send({ t: "pub", id, room: p.room, cmid, kind: p.kind ?? "message", body: p.body });
  }

  private send(frame: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}
