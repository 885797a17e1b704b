import assert from "node:assert/strict";
import { request, type IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { startHarness, type Harness } from "../support/gateway-fixture.js";

type Frame = Record<string, unknown>;

/** Opens GET /v1/sse and parses its messages; `close` events are reported as `{t:"close",...}`. */
function openStream(
  h: Harness,
  headers: Record<string, string> = {},
): Promise<{ res: IncomingMessage; frames: Frame[]; next: (t: string) => Promise<Frame> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: h.port, path: "/v1/sse", headers }, (res) => {
      const frames: Frame[] = [];
      let waiters: Array<() => void> = [];
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf("\n\n")) >= 0) {
          const msg = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const isClose = msg.startsWith("event: close\n");
          const data = JSON.parse(msg.slice(msg.indexOf("data: ") + 6)) as Frame;
          frames.push(isClose ? { t: "close", ...data } : data);
        }
        for (const w of waiters.splice(0)) w();
      });
      const next = async (t: string): Promise<Frame> => {
        for (;;) {
          const i = frames.findIndex((f) => f.t === t);
          if (i >= 0) return frames.splice(i, 1)[0]!;
          await new Promise<void>((r, rej) => {
            // Only turns a frame that never comes into a readable failure: generous, as a loaded machine is slow.
            const timer = setTimeout(() => rej(new Error(`no ${t} frame`)), 30_000);
            waiters.push(() => (clearTimeout(timer), r()));
          });
        }
      };
      resolve({ res, frames, next });
    });
    req.on("error", reject);
    req.end();
  });
}

function post(h: Harness, session: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: h.port,
        path: `/v1/sse/${session}`,
        method: "POST",
        headers: { "content-type": "text/plain", ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("SSE transport", () => {
  it("round-trips connect, sub, pub and events over GET stream + POST frames", async () => {
    const h = await startHarness();
    try {
      const s = await openStream(h);
      assert.equal(s.res.statusCode, 200);
      assert.match(String(s.res.headers["content-type"]), /^text\/event-stream/);
      const { id } = await s.next("session");
      assert.equal(typeof id, "string");
      assert.equal(
        await post(h, id as string, JSON.stringify({ t: "connect", id: 1, versions: [1], user: "sse" })),
        204,
      );
      assert.equal((await s.next("connected")).user, "sse");
      const batch = [
        { t: "sub", id: 2, room: "sse-room" },
        { t: "pub", id: 3, room: "sse-room", cmid: "s1", body: { text: "über" } },
      ];
      assert.equal(await post(h, id as string, JSON.stringify(batch)), 204);
      assert.equal((await s.next("subscribed")).id, 2);
      assert.deepEqual([(await s.next("ack")).seq, (await s.next("event")).body], [1, { text: "über" }]);
      assert.equal(await post(h, id as string, "{oops"), 400, "a body that is not JSON is refused whole");
      assert.equal((await s.next("error")).code, "BAD_JSON");
      assert.equal(
        await post(h, id as string, '[{"t":"nope"}]'),
        204,
        "a JSON body's bad frames are answered on the stream",
      );
      assert.equal((await s.next("error")).code, "UNKNOWN_FRAME");
      assert.equal(await post(h, id as string, "x".repeat(h.config.maxFrameBytes + 1)), 413);
      assert.equal(await post(h, "no-such-session", "{}"), 404);
      await h.gateway.drain();
      const closed = await s.next("close");
      assert.equal(closed.code, 4000);
    } finally {
      await h.close();
    }
  });

  it("refuses a browser Origin that is not allowed, and allows a listed one", async () => {
    const h = await startHarness({ allowedOrigins: ["https://app.example"] });
    try {
      const evil = await openStream(h, { origin: "https://evil.example" });
      assert.equal(evil.res.statusCode, 403);
      evil.res.resume();
      const ok = await openStream(h, { origin: "https://app.example" });
      assert.equal(ok.res.statusCode, 200);
      assert.equal(ok.res.headers["access-control-allow-origin"], "https://app.example");
      const { id } = await ok.next("session");
      assert.equal(await post(h, id as string, "{}", { origin: "https://evil.example" }), 403);
    } finally {
      await h.close();
    }
  });
});
