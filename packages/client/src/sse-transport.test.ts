// The SSE transport over a scripted fetch: stream parsing, POST ordering and batching, and how every failure closes.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerFrame } from "@parley/protocol";
import { SseTransport, takeBatch } from "./sse-transport.js";
import { deriveSseUrl } from "./transport-factory.js";
import type { TransportHandlers } from "./transport.js";

const STREAM_URL = "http://parley.test/v1/sse";
const encoder = new TextEncoder();

interface Post {
  url: string;
  frames: unknown[];
  reply: (result: Response | Error) => void;
}

/** A fetch whose stream and POST answers the test drives by hand. */
class ScriptedFetch {
  streamStatus = 200;
  readonly posts: Post[] = [];
  signal: AbortSignal | undefined;
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined;

  readonly fetch = (url: string, init: RequestInit): Promise<Response> => {
    if (init.method === "POST") {
      return new Promise((resolve, reject) => {
        const reply = (r: Response | Error) => (r instanceof Error ? reject(r) : resolve(r));
        this.posts.push({ url, frames: JSON.parse(String(init.body)) as unknown[], reply });
      });
    }
    this.signal = init.signal ?? undefined;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (this.#stream = c) });
    this.signal?.addEventListener("abort", () => this.#stream?.error(new Error("aborted")));
    return Promise.resolve(new Response(body, { status: this.streamStatus }));
  };

  push(text: string): void {
    this.#stream!.enqueue(encoder.encode(text));
  }

  /** Ends the response body (a no-op once the client has aborted it). */
  end(): void {
    if (!this.signal?.aborted) this.#stream!.close();
  }
}

function recorder() {
  const log = { opened: 0, frames: [] as ServerFrame[], closes: [] as [number, string][], malformed: [] as unknown[] };
  const handlers: TransportHandlers = {
    onOpen: () => void log.opened++,
    onFrame: (f) => void log.frames.push(f),
    onClose: (code, reason) => void log.closes.push([code, reason]),
    onMalformed: (d) => void log.malformed.push(d),
  };
  return { log, handlers };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

async function openTransport() {
  const fetch = new ScriptedFetch();
  const { log, handlers } = recorder();
  const transport = new SseTransport(fetch.fetch, STREAM_URL, handlers);
  await tick();
  fetch.push('data: {"t":"session","id":"s 1"}\n\n');
  await tick();
  return { fetch, log, transport };
}

test("opens on the session message and POSTs to the session's URL", async () => {
  const fetch = new ScriptedFetch();
  const { log, handlers } = recorder();
  const transport = new SseTransport(fetch.fetch, STREAM_URL, handlers);
  await tick();
  assert.equal(transport.send({ t: "ping" }), false, "nothing can be sent before the session is known");
  fetch.push('data: {"t":"session","id":"s 1"}\n\n');
  await tick();
  assert.equal(log.opened, 1);
  assert.equal(transport.send({ t: "ping", id: 1 }), true);
  assert.deepEqual(
    fetch.posts.map((p) => [p.url, p.frames]),
    [[`${STREAM_URL}/s%201`, [{ t: "ping", id: 1 }]]],
  );
});

test("frames split across chunks are parsed whole; a non-frame is reported malformed", async () => {
  const { fetch, log } = await openTransport();
  fetch.push('data: {"t":"pong"');
  fetch.push(',"id":7}\n');
  fetch.push('\ndata: {"t":"ping"}\n\n: comment\n\ndata: nope\n\n');
  await tick();
  assert.deepEqual(log.frames, [{ t: "pong", id: 7 }, { t: "ping" }]);
  assert.deepEqual(log.malformed, ["nope"]);
});

test("one POST in flight: frames sent meanwhile go next, together, in order", async () => {
  const { fetch, transport } = await openTransport();
  transport.send({ t: "ping", id: 1 });
  transport.send({ t: "ping", id: 2 });
  transport.send({ t: "ping", id: 3 });
  assert.equal(fetch.posts.length, 1);
  fetch.posts[0]!.reply(new Response(null, { status: 204 }));
  await tick();
  assert.deepEqual(
    fetch.posts.map((p) => p.frames),
    [
      [{ t: "ping", id: 1 }],
      [
        { t: "ping", id: 2 },
        { t: "ping", id: 3 },
      ],
    ],
  );
});

test("the server's close message closes with its code", async () => {
  const { fetch, log } = await openTransport();
  fetch.push('event: close\ndata: {"code":4500,"reason":"unauthorized"}\n\n');
  await tick();
  fetch.end();
  await tick();
  assert.deepEqual(log.closes, [[4500, "unauthorized"]]);
});

test("a stream that ends without a close message is an abnormal close (1006)", async () => {
  const { fetch, log } = await openTransport();
  fetch.end();
  await tick();
  assert.deepEqual(
    log.closes.map(([code]) => code),
    [1006],
  );
});

for (const [what, reply, code] of [
  ["refused with 404 (session gone)", new Response(null, { status: 404 }), 1006],
  ["refused with 413 (too large)", new Response(null, { status: 413 }), 1009],
  ["failing on the network", new Error("ECONNRESET"), 1006],
] as const) {
  test(`a POST ${what} closes the transport with ${code} and ends the stream`, async () => {
    const { fetch, log, transport } = await openTransport();
    transport.send({ t: "ping" });
    fetch.posts[0]!.reply(reply);
    await tick();
    assert.deepEqual(
      log.closes.map(([c]) => c),
      [code],
    );
    assert.equal(fetch.signal?.aborted, true);
    assert.equal(transport.send({ t: "ping" }), false);
  });
}

test("a refused stream (HTTP 403) or a first message that is not a session closes with 1006", async () => {
  const refused = new ScriptedFetch();
  refused.streamStatus = 403;
  const a = recorder();
  new SseTransport(refused.fetch, STREAM_URL, a.handlers);
  await tick();
  assert.deepEqual(
    a.log.closes.map(([c]) => c),
    [1006],
  );

  const odd = new ScriptedFetch();
  const b = recorder();
  new SseTransport(odd.fetch, STREAM_URL, b.handlers);
  await tick();
  odd.push('data: {"t":"ping"}\n\n');
  await tick();
  assert.deepEqual(b.log.closes, [[1006, "the stream did not start with a session message"]]);
  assert.equal(b.log.opened, 0);
});

test("close() from our side ends the stream and reports nothing", async () => {
  const { fetch, log, transport } = await openTransport();
  transport.close();
  await tick();
  assert.equal(fetch.signal?.aborted, true);
  assert.deepEqual(log.closes, []);
});

test("takeBatch keeps a POST body under the byte cap, in order, always taking at least one frame", () => {
  const queue = ["a".repeat(10), "b".repeat(10), "c".repeat(10), "d".repeat(40)];
  assert.deepEqual(takeBatch(queue, 2 + 10 + 1 + 10), ["a".repeat(10), "b".repeat(10)]);
  assert.deepEqual(takeBatch(queue, 20), ["c".repeat(10)]);
  assert.deepEqual(takeBatch(queue, 20), ["d".repeat(40)]);
  assert.deepEqual(queue, []);
  // Bytes, not UTF-16 units: "é" is two bytes in the body.
  assert.deepEqual(takeBatch(["é".repeat(5), "x"], 2 + 10 + 1), ["é".repeat(5)]);
});

test("deriveSseUrl maps the WebSocket URL to the SSE stream URL", () => {
  assert.equal(deriveSseUrl("ws://localhost:8080/v1/ws"), "http://localhost:8080/v1/sse");
  assert.equal(deriveSseUrl("wss://chat.example.com/parley/v1/ws/"), "https://chat.example.com/parley/v1/sse");
  assert.equal(deriveSseUrl("ws://localhost:8080/v1/ws?x=1"), "http://localhost:8080/v1/sse?x=1");
  assert.equal(deriveSseUrl("ws://127.0.0.1:9000"), undefined);
  assert.equal(deriveSseUrl("not a url"), undefined);
});
