/** The fault proxy against a loopback echo server: it forwards, stalls, cuts inside a chunk, and drops. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer, type Server, type Socket } from "node:net";
import { TcpProxy } from "./tcp-proxy.js";

function echoServer(): Promise<Server> {
  const server = createServer((s) => s.on("error", () => undefined).pipe(s));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Connects through the proxy and collects what comes back until the socket closes or `ms` pass. */
async function roundTrip(
  proxy: TcpProxy,
  payload: Buffer,
  ms: number,
  arm?: () => void,
): Promise<{ data: Buffer; firstAt: number }> {
  const socket: Socket = connect(proxy.port, "127.0.0.1");
  await new Promise((resolve) => socket.once("connect", resolve));
  // Earlier tests' connections close asynchronously: wait until ours is the only one, so faults hit it.
  for (let i = 0; i < 200 && proxy.connections !== 1; i++) await new Promise((r) => setTimeout(r, 5));
  arm?.();
  const chunks: Buffer[] = [];
  let firstAt = 0;
  socket.on("data", (c: Buffer) => {
    firstAt ||= Date.now();
    chunks.push(c);
  });
  socket.on("error", () => undefined);
  socket.write(payload);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    socket.once("close", () => (clearTimeout(timer), resolve()));
  });
  socket.destroy();
  return { data: Buffer.concat(chunks), firstAt };
}

describe("tcp proxy", () => {
  let echo: Server;
  let proxy: TcpProxy;
  before(async () => {
    echo = await echoServer();
    const address = echo.address();
    proxy = new TcpProxy(() => (typeof address === "object" && address ? address.port : 0));
    await proxy.listen();
  });
  after(async () => {
    await proxy.close();
    echo.close();
  });

  test("forwards both ways", async () => {
    assert.equal((await roundTrip(proxy, Buffer.from("hello"), 200)).data.toString(), "hello");
  });

  test("a cut forwards part of a chunk, then resets", async () => {
    const payload = Buffer.alloc(4096, 7);
    const { data } = await roundTrip(proxy, payload, 2_000, () =>
      assert.equal(
        proxy.cutMidFrame(() => 0),
        true,
      ),
    );
    assert.ok(data.length < payload.length, `got ${data.length} of ${payload.length} bytes`);
    assert.equal(proxy.counts.cuts, 1);
  });

  test("a stall holds data back, then lets it through", async () => {
    const started = Date.now();
    const { data, firstAt } = await roundTrip(proxy, Buffer.from("late"), 1_500, () => {
      assert.equal(proxy.stall(600), true);
    });
    assert.equal(data.toString(), "late");
    assert.ok(firstAt - started >= 550, `arrived after ${firstAt - started} ms`);
  });

  test("a drop resets the connection", async () => {
    const socket = connect(proxy.port, "127.0.0.1");
    socket.on("error", () => undefined);
    await new Promise((resolve) => socket.once("connect", resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(proxy.drop(), true);
    await new Promise((resolve) => socket.once("close", resolve));
    assert.equal(proxy.counts.drops, 1);
  });
});
