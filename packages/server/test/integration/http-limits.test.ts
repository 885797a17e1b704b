/**
 * Slow and greedy clients with raw sockets against a real server process:
 * half-sent headers time out, oversized headers get 431, and connections past
 * the per-address and global caps are closed on arrival.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { ServerProcess } from "../support/server-process.js";

/** A raw TCP connection that records what the server sent and whether it closed. */
class RawSocket {
  text = "";
  readonly closed: Promise<void>;
  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => (this.text += chunk.toString("latin1")));
    socket.on("error", () => undefined); // a refused connection may end in ECONNRESET
    this.closed = new Promise((resolve) => socket.on("close", () => resolve()));
  }

  static open(port: number, localAddress = "127.0.0.1"): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, localAddress }, () => resolve(new RawSocket(socket)));
      socket.once("error", reject);
    });
  }

  /** Sends a complete GET /healthz and waits for its whole answer: proof the connection was served. */
  async served(): Promise<boolean> {
    this.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    return new Promise((resolve) => {
      const check = () => {
        if (/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n[\s\S]+/.test(this.text)) resolve(true);
      };
      this.socket.on("data", check);
      void this.closed.then(() => resolve(false));
      check();
    });
  }
}

/** Raw sockets to `server()`, all destroyed by `closeAll`. */
function rawSockets(server: () => ServerProcess) {
  const open: RawSocket[] = [];
  return {
    async raw(localAddress?: string): Promise<RawSocket> {
      const s = await RawSocket.open(server().port, localAddress);
      open.push(s);
      return s;
    },
    closeAll(): void {
      for (const s of open) s.socket.destroy();
    },
  };
}

describe("HTTP limits against slow and greedy clients", () => {
  let server: ServerProcess;
  const { raw, closeAll } = rawSockets(() => server);
  before(async () => {
    server = await ServerProcess.start({
      args: [...["--headers-timeout-ms", "400", "--max-header-bytes", "4096", "--max-connections-per-address", "3"]],
    });
  });
  after(async () => {
    closeAll();
    await server?.cleanup();
  });

  it("answers 408 and closes a connection that never finishes its headers, or never sends any", async () => {
    const silent = await raw("127.0.0.2");
    const half = await raw("127.0.0.2");
    half.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    await Promise.all([silent.closed, half.closed]);
    assert.match(half.text, /^HTTP\/1\.1 408 /);
  });

  it("answers 431 to headers larger than maxHeaderBytes", async () => {
    const big = await raw("127.0.0.2");
    big.socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(8192)}\r\n\r\n`);
    await big.closed;
    assert.match(big.text, /^HTTP\/1\.1 431 /);
  });

  it("closes connections past the per-address cap on arrival, and serves other addresses", async () => {
    const mine = [await raw("127.0.0.3"), await raw("127.0.0.3"), await raw("127.0.0.3")];
    const extra = await raw("127.0.0.3");
    await extra.closed;
    assert.equal(extra.text, "");
    assert.equal(await (await raw("127.0.0.4")).served(), true);
    for (const s of mine) assert.equal(await s.served(), true);
    mine[0]!.socket.destroy();
    await eventuallyServed(() => raw("127.0.0.3"));
  });
});

describe("the global connection cap", () => {
  let server: ServerProcess;
  const { raw, closeAll } = rawSockets(() => server);
  before(async () => {
    server = await ServerProcess.start({ args: ["--max-connections", "4", "--max-connections-per-address", "0"] });
  });
  after(async () => {
    closeAll();
    await server?.cleanup();
  });

  it("closes connections past it on arrival, whatever their address, until one leaves", async () => {
    const held: RawSocket[] = [];
    let refused: RawSocket | undefined;
    for (let i = 1; !refused && i < 20; i++) {
      const s = await raw(`127.0.1.${i}`);
      if (await s.served()) held.push(s);
      else refused = s;
    }
    // The test process's own readiness probe may still hold one kept-alive connection.
    assert.ok(held.length === 4 || held.length === 3, `held ${held.length}`);
    assert.equal(refused?.text, "");
    const again = await raw("127.0.2.1");
    await again.closed;
    assert.equal(again.text, "");
    held[0]!.socket.destroy();
    await eventuallyServed(() => raw("127.0.2.2"));
  });
});

/** New connections until one is served: the server counts a close when it sees it, a moment after the client. */
async function eventuallyServed(open: () => Promise<RawSocket>): Promise<void> {
  for (let i = 0; i < 50; i++) if (await (await open()).served()) return;
  assert.fail("no connection was served after one left");
}
