/**
 * A loopback TCP proxy that injects network faults between clients and a
 * server: drop a connection, stall it (nothing flows either way for a while,
 * as on a congested or half-dead link), or cut it in the middle of a frame
 * (forward part of the next chunk, then reset). Protocol-agnostic, so it
 * sits in front of Parley and Socket.IO alike.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

/** How many faults of each kind were injected. */
export interface ProxyFaultCounts {
  drops: number;
  stalls: number;
  cuts: number;
}

/** A client socket and its upstream twin. */
interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  stalled: boolean;
  /** When set, the next chunk in that direction is forwarded only in part, then both sides are destroyed. */
  cut?: "down" | "up";
}

/** The proxy; `target()` is read per connection so a restarted server may change port. */
export class TcpProxy {
  readonly counts: ProxyFaultCounts = { drops: 0, stalls: 0, cuts: 0 };
  private readonly pairs = new Set<Pair>();
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  port = 0;

  constructor(private readonly target: () => number) {
    this.server = createServer((client) => this.accept(client));
  }

  /** Listens on 127.0.0.1 on a free port and resolves with it. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        const address = this.server.address();
        this.port = typeof address === "object" && address ? address.port : 0;
        resolve(this.port);
      });
    });
  }

  /** Live proxied connections. */
  get connections(): number {
    return this.pairs.size;
  }

  /** Resets a random connection. False when there was none. */
  drop(random: () => number = Math.random): boolean {
    const pair = this.pick(random);
    if (!pair) return false;
    this.counts.drops++;
    destroyPair(pair);
    return true;
  }

  /** Stops forwarding on a random connection for `ms`; TCP buffers fill, nothing is lost by the proxy itself. */
  stall(ms: number, random: () => number = Math.random): boolean {
    const pair = this.pick(random, (p) => !p.stalled);
    if (!pair) return false;
    this.counts.stalls++;
    pair.stalled = true;
    pair.client.pause();
    pair.upstream.pause();
    this.later(ms, () => {
      pair.stalled = false;
      pair.client.resume();
      pair.upstream.resume();
    });
    return true;
  }

  /** Arms a random connection to be cut inside its next chunk, server→client or client→server. */
  cutMidFrame(random: () => number = Math.random): boolean {
    const pair = this.pick(random, (p) => p.cut === undefined && !p.stalled);
    if (!pair) return false;
    this.counts.cuts++;
    pair.cut = random() < 0.7 ? "down" : "up";
    return true;
  }

  /** Resets every connection and stops listening. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const pair of this.pairs) destroyPair(pair);
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const upstream = connect(this.target(), "127.0.0.1");
    const pair: Pair = { client, upstream, stalled: false };
    this.pairs.add(pair);
    const end = (): void => {
      this.pairs.delete(pair);
      destroyPair(pair);
    };
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on("error", end);
      socket.on("close", end);
    }
    forward(pair, client, upstream, "up");
    forward(pair, upstream, client, "down");
  }

  private pick(random: () => number, ok: (p: Pair) => boolean = () => true): Pair | undefined {
    const candidates = [...this.pairs].filter(ok);
    return candidates[Math.floor(random() * candidates.length)];
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }
}

/** Manual piping, so a chunk can be cut and a stall is not undone by a `drain`. */
function forward(pair: Pair, from: Socket, to: Socket, direction: "up" | "down"): void {
  from.on("data", (chunk: Buffer) => {
    if (pair.cut === direction) {
      // At least one byte through and at least one held back: the peer sees a torn frame.
      const keep = chunk.length > 1 ? 1 + Math.floor(Math.random() * (chunk.length - 1)) : 0;
      to.write(chunk.subarray(0, keep), () => destroyPair(pair));
      return;
    }
    if (!to.write(chunk)) {
      from.pause();
      to.once("drain", () => {
        if (!pair.stalled) from.resume();
      });
    }
  });
  from.on("end", () => to.end());
}

function destroyPair(pair: Pair): void {
  // resetAndDestroy sends RST like a dead peer would; plain destroy() if the socket is not connected yet.
  for (const socket of [pair.client, pair.upstream]) {
    if (socket.destroyed) continue;
    if (socket.readyState === "open" && typeof socket.resetAndDestroy === "function") socket.resetAndDestroy();
    else socket.destroy();
  }
}
