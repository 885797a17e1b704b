/**
 * Small helpers shared by the integration tests: unique names, a client pool
 * that always closes, publish/subscribe/history shorthands, and a wrapper that
 * appends the server's log to a failing test's error.
 */
import { randomUUID } from "node:crypto";
import type { AckFrame, Json, RoomEvent, SubscribedFrame } from "@parley/protocol";
import { RawClient, type ConnectOptions } from "./raw-client.js";
import { after, before, test } from "node:test";
import { ServerProcess, type ServerProcessOptions } from "./server-process.js";

let counter = 0;

/** A room id no other test uses. */
export function uniqueRoom(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}-${randomUUID().slice(0, 8)}`;
}

/** A cmid no other publish uses. */
export function uniqueCmid(): string {
  return randomUUID();
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Opens clients and closes every one of them when the test ends. */
export class ClientPool {
  private readonly clients: RawClient[] = [];

  constructor(private readonly server: ServerProcess) {}

  /** A connected client (dev mode `user`, or a token). */
  async connect(options: ConnectOptions): Promise<RawClient> {
    return this.track(await RawClient.connect(this.server.wsUrl, options));
  }

  /** An open socket with no `connect` sent yet. */
  async open(): Promise<RawClient> {
    return this.track(await RawClient.open(this.server.wsUrl));
  }

  /** Registers a client for cleanup. */
  track(client: RawClient): RawClient {
    this.clients.push(client);
    return client;
  }

  /** Terminates every client (no handshake: the server may be gone). */
  closeAll(): void {
    for (const client of this.clients.splice(0)) client.terminate();
  }
}

/**
 * Runs `body` with a fresh ClientPool; on failure, appends the server's recent
 * output to the error so a red test explains itself.
 */
export function withServer(
  getServer: () => ServerProcess,
  body: (pool: ClientPool) => Promise<void>,
): () => Promise<void> {
  return async () => {
    const server = getServer();
    const pool = new ClientPool(server);
    try {
      await body(pool);
    } catch (err) {
      if (err instanceof Error) err.message += `\n---- server output ----\n${server.output(60)}`;
      throw err;
    } finally {
      pool.closeAll();
    }
  };
}

/** Subscribes and returns the `subscribed` frame. */
export function subscribe(
  client: RawClient,
  room: string,
  resume: { since?: number; epoch?: string } = {},
): Promise<SubscribedFrame> {
  return client.expect({ t: "sub", room, ...resume }, "subscribed");
}

/** Publishes and returns the ack. */
export function publish(client: RawClient, room: string, body: Json, cmid = uniqueCmid()): Promise<AckFrame> {
  return client.expect({ t: "pub", room, cmid, body }, "ack");
}

/** Reads a room's whole history, oldest first, page by page with `after`. */
export async function readAllHistory(client: RawClient, room: string, pageSize = 500): Promise<RoomEvent[]> {
  const events: RoomEvent[] = [];
  for (;;) {
    const after = events.at(-1)?.seq ?? 0;
    const page = await client.expect({ t: "history", room, after, limit: pageSize }, "history", 20_000);
    events.push(...page.events);
    if (!page.hasMore) return events;
    if (page.events.length === 0) throw new Error(`history page after ${after} is empty but hasMore`);
  }
}

/** The seqs of `events`, for compact equality assertions. */
export function seqs(events: readonly { seq: number }[]): number[] {
  return events.map((e) => e.seq);
}

/** [from, from+1, …, to]; empty when to < from. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}

/** Strips the transport-only `t` from an event frame, leaving the RoomEvent. */
export function toRoomEvent(frame: RoomEvent & { t?: string }): RoomEvent {
  const { t: _t, ...event } = frame;
  return event;
}

/** Publish rate limits lifted, for tests that publish in bulk. */
export const UNLIMITED_RATES = ["--publish-rate-per-connection", "100000", "--publish-rate-per-user", "100000"];

/** One server process for the enclosing `describe`, and an `it` whose body gets a client pool on it. */
export interface ServerSuite {
  readonly server: ServerProcess;
  it(name: string, body: (pool: ClientPool) => Promise<void>): void;
}

/** Starts a server before the enclosing suite's tests and cleans it up after them. */
export function serverSuite(options: ServerProcessOptions = {}): ServerSuite {
  let server: ServerProcess | undefined;
  before(async () => {
    server = await ServerProcess.start(options);
  });
  after(async () => {
    await server?.cleanup();
  });
  const current = (): ServerProcess => {
    if (!server) throw new Error("the suite's server has not started");
    return server;
  };
  return {
    get server() {
      return current();
    },
    it: (name, body) => void test(name, withServer(current, body)),
  };
}
