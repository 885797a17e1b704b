/**
 * The chaos workload for Socket.IO with its documented at-least-once client
 * settings: publishers use `retries` + `ackTimeout` (the client queues and
 * re-sends each emit until acked); subscribers re-join their rooms when a
 * reconnect was not recovered (`socket.recovered`). Publishers and
 * subscribers are separate sockets, because with `retries` a re-join would
 * wait behind the publish queue.
 */
import { io, type Socket } from "socket.io-client";
import type { TallyInput } from "../delivery-tally.js";

const TICK_MS = 50;
const MAX_IN_FLIGHT = 20;

/** Options for {@link SocketIoWorkload}. */
export interface SocketIoWorkloadOptions {
  readonly url: () => string;
  readonly rooms: readonly string[];
  readonly publishers: number;
  readonly subscribers: number;
  readonly ratePerPublisher: number;
}

/** A running Socket.IO workload. */
export class SocketIoWorkload {
  private readonly pubs: Socket[] = [];
  private readonly subs: Array<{ socket: Socket; received: Map<string, string[]> }> = [];
  private readonly acked: Array<{ room: string; cmid: string }> = [];
  private readonly pending = new Map<Socket, number>();
  private ticker: NodeJS.Timeout | undefined;
  private credit = 0;
  private count = 0;

  constructor(private readonly options: SocketIoWorkloadOptions) {}

  /** Opens every socket and starts publishing. */
  start(): void {
    const base = { transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 500 };
    for (let i = 0; i < this.options.subscribers; i++) {
      const socket = io(this.options.url(), { ...base, forceNew: true });
      const received = new Map<string, string[]>(this.options.rooms.map((r) => [r, []]));
      socket.on("connect", () => {
        if (!socket.recovered) for (const room of this.options.rooms) socket.emit("sub", room);
      });
      socket.on("event", (e: { room: string; cmid: string }) => received.get(e.room)?.push(e.cmid));
      this.subs.push({ socket, received });
    }
    for (let i = 0; i < this.options.publishers; i++) {
      const socket = io(this.options.url(), { ...base, forceNew: true, retries: 1_000_000, ackTimeout: 1_000 });
      this.pubs.push(socket);
      this.pending.set(socket, 0);
    }
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  /** A client-side drop: a random socket closes its transport and reconnects. */
  dropRandom(): boolean {
    const all = [...this.pubs, ...this.subs.map((s) => s.socket)];
    const socket = all[Math.floor(Math.random() * all.length)];
    if (!socket?.connected) return false;
    socket.io.engine.close();
    return true;
  }

  /** Publishes not yet acked. */
  pendingCount(): number {
    return [...this.pending.values()].reduce((a, b) => a + b, 0);
  }

  stopPublishing(): void {
    clearInterval(this.ticker);
  }

  /** What the tally needs. */
  tallyInput(): TallyInput {
    const subscribers = this.subs.flatMap((s) => [...s.received].map(([room, cmids]) => ({ room, cmids })));
    return { acked: [...this.acked], subscribers };
  }

  stop(): void {
    this.stopPublishing();
    for (const socket of [...this.pubs, ...this.subs.map((s) => s.socket)]) socket.disconnect();
  }

  private tick(): void {
    this.credit += (this.options.ratePerPublisher * TICK_MS) / 1000;
    const whole = Math.floor(this.credit);
    this.credit -= whole;
    for (const socket of this.pubs) {
      for (let i = 0; i < whole && (this.pending.get(socket) ?? 0) < MAX_IN_FLIGHT; i++) this.publish(socket);
    }
  }

  private publish(socket: Socket): void {
    const room = this.options.rooms[Math.floor(Math.random() * this.options.rooms.length)]!;
    const cmid = `sio-${++this.count}`;
    this.pending.set(socket, (this.pending.get(socket) ?? 0) + 1);
    socket.emit("pub", { room, cmid, body: { at: Date.now() } }, (err: Error | null) => {
      this.pending.set(socket, (this.pending.get(socket) ?? 1) - 1);
      if (!err) this.acked.push({ room, cmid });
    });
  }
}
