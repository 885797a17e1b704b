import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CLOSE, CONNECTION_LIMIT_FIELDS } from "@parley/protocol";
import { WebSocket } from "ws";
import { range, startHarness, TestClient, type Harness, type HarnessStorage } from "../support/gateway-fixture.js";

for (const storage of ["memory", "embedded"] as HarnessStorage[]) describeGateway(storage);

function describeGateway(storage: HarnessStorage): void {
  describe(`gateway over WebSocket (${storage} log)`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ publishRatePerConnection: 100_000, publishRatePerUser: 100_000 }, storage);
    });
    after(() => h.close());

    it("connects with the highest common version and refuses when there is none", async () => {
      const ok = await TestClient.open(h.wsUrl);
      ok.send({ t: "connect", id: 7, versions: [1, 99], user: "alice" });
      const connected = await ok.next((f) => f.t === "connected");
      assert.equal(connected.version, 1);
      assert.equal(connected.id, 7);
      assert.equal(connected.user, "alice");
      ok.close();

      const old = await TestClient.open(h.wsUrl);
      old.send({ t: "connect", id: 1, versions: [99], user: "alice" });
      const err = await old.next((f) => f.t === "error");
      assert.equal(err.code, "UNSUPPORTED_VERSION");
      assert.equal((await old.closed).code, CLOSE.UNSUPPORTED_VERSION);
    });

    it("announces every connection limit in connected, the frame size included", async () => {
      const c = await TestClient.open(h.wsUrl);
      c.send({ t: "connect", versions: [1], user: "alice" });
      const { limits } = (await c.next((f) => f.t === "connected")) as unknown as { limits: Record<string, number> };
      assert.deepEqual(Object.keys(limits).sort(), [...CONNECTION_LIMIT_FIELDS].sort());
      assert.equal(limits.maxFrameBytes, h.config.maxFrameBytes);
      c.close();
    });

    it("answers a malformed connect with BAD_FRAME and closes 4502, as a refused connect", async () => {
      const c = await TestClient.open(h.wsUrl);
      c.send({ t: "connect", id: 4, versions: "1", user: "alice" });
      const err = await c.next((f) => f.t === "error");
      assert.deepEqual([err.code, err.id], ["BAD_FRAME", 4]);
      assert.equal((await c.closed).code, CLOSE.PROTOCOL_VIOLATION);
    });

    it("answers NOT_CONNECTED before connect and UNAUTHORIZED for bad credentials", async () => {
      const c = await TestClient.open(h.wsUrl);
      c.send({ t: "sub", id: 3, room: "r" });
      const err = await c.next((f) => f.t === "error");
      assert.deepEqual([err.code, err.id], ["NOT_CONNECTED", 3]);
      c.send({ t: "connect", versions: [1], user: "mallory", token: "bad" });
      assert.equal((await c.next((f) => f.t === "error")).code, "UNAUTHORIZED");
      assert.equal((await c.closed).code, CLOSE.UNAUTHORIZED);
    });

    it("subscribes, publishes, acks and dedupes by cmid", async () => {
      const c = await TestClient.connect(h.wsUrl, "alice");
      const sub = await c.request({ t: "sub", room: "basic" });
      assert.deepEqual([sub.t, sub.lastSeq, sub.recovered], ["subscribed", 0, true]);
      const ack = await c.request({ t: "pub", room: "basic", cmid: "m1", body: { text: "hi" } });
      assert.deepEqual([ack.t, ack.seq, ack.dup], ["ack", 1, false]);
      const event = await c.next((f) => f.t === "event");
      assert.deepEqual([event.seq, event.from, event.body], [1, "alice", { text: "hi" }]);
      const again = await c.request({ t: "pub", room: "basic", cmid: "m1", body: { text: "hi" } });
      assert.deepEqual([again.seq, again.dup], [1, true]);
      const big = await c.request({ t: "pub", room: "basic", cmid: "m2", body: "x".repeat(h.config.maxMessageBytes) });
      assert.equal(big.code, "MESSAGE_TOO_LARGE");
      c.close();
    });

    it("refuses publishing without the capability", async () => {
      const c = await TestClient.connect(h.wsUrl, "reader1");
      const err = await c.request({ t: "pub", room: "caps", cmid: "m1", body: 1 });
      assert.equal(err.code, "FORBIDDEN");
      c.close();
    });

    it("delivers the same order to two subscribers while both publish", async () => {
      const a = await TestClient.connect(h.wsUrl, "alice");
      const b = await TestClient.connect(h.wsUrl, "bob");
      await a.request({ t: "sub", room: "order" });
      await b.request({ t: "sub", room: "order" });
      for (let i = 0; i < 50; i++) {
        a.send({ t: "pub", id: 1000 + i, room: "order", cmid: `a${i}`, body: i });
        b.send({ t: "pub", id: 1000 + i, room: "order", cmid: `b${i}`, body: i });
      }
      const [seqA, seqB] = await Promise.all([a.events("order", 100), b.events("order", 100)]);
      assert.deepEqual(seqA, range(1, 100));
      assert.deepEqual(seqB, range(1, 100));
      a.close();
      b.close();
    });

    it("sequences a connection's publishes to a room in arrival order, though an edit's checks take longer", async () => {
      const c = await TestClient.connect(h.wsUrl, "alice");
      const first = await c.request({ t: "pub", room: "fifo", cmid: "m0", body: { text: "target" } });
      const cmids: string[] = [];
      for (let i = 0; i < 20; i++) {
        // An edit reads its target back before it may be appended; the message after it reads nothing.
        c.send({
          t: "pub",
          id: 2000 + 2 * i,
          room: "fifo",
          cmid: `e${i}`,
          kind: "edit",
          body: { target: first.seq, text: `v${i}` },
        });
        c.send({ t: "pub", id: 2001 + 2 * i, room: "fifo", cmid: `m${i + 1}`, body: { text: `after edit ${i}` } });
        cmids.push(`e${i}`, `m${i + 1}`);
      }
      const acks = await Promise.all(cmids.map((_, i) => c.next((f) => f.t === "ack" && f.id === 2000 + i)));
      assert.deepEqual(
        acks.map((a) => a.seq),
        range(2, 41),
        `sequenced as ${acks.map((a) => `${a.cmid as string}@${a.seq as number}`).join(" ")}`,
      );
      c.close();
    });

    it("resumes with no gap and no duplicate while others keep publishing", async () => {
      const pubr = await TestClient.connect(h.wsUrl, "pubr");
      const total = 600;
      let acked = 0;
      const publishing = (async () => {
        for (let i = 0; i < total; i += 20) {
          for (let j = i; j < i + 20; j++) pubr.send({ t: "pub", id: j + 1, room: "race", cmid: `c${j}`, body: j });
          await pubr.next((f) => f.t === "ack" && f.id === i + 20);
          acked = i + 20;
        }
      })();
      while (acked < 100) await new Promise((r) => setTimeout(r, 1));
      const head = await h.log.head("race");
      const c = await TestClient.connect(h.wsUrl, "carol");
      const sub = await c.request({ t: "sub", room: "race", since: 50, epoch: head.epoch });
      assert.equal(sub.recovered, true);
      assert.ok((sub.lastSeq as number) >= 100);
      const seqs = await c.events("race", total - 50);
      await publishing;
      assert.deepEqual(seqs, range(51, total));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(c.frames.filter((f) => f.t === "event").length, 0, "no duplicate after the last event");
      pubr.close();
      c.close();
    });

    it("replays the current epoch with recovered:false when the epoch is unknown", async () => {
      const c = await TestClient.connect(h.wsUrl, "dave");
      for (let i = 0; i < 3; i++) await c.request({ t: "pub", room: "epochs", cmid: `e${i}`, body: i });
      const sub = await c.request({ t: "sub", room: "epochs", since: 2, epoch: "gone" });
      assert.deepEqual([sub.recovered, sub.lastSeq], [false, 3]);
      assert.deepEqual(await c.events("epochs", 3), [1, 2, 3]);
      const ahead = await c.request({ t: "sub", room: "epochs2", since: 5 });
      assert.equal(ahead.recovered, false);
      c.close();
    });

    it("pages history ascending with hasMore", async () => {
      const c = await TestClient.connect(h.wsUrl, "erin");
      for (let i = 0; i < 5; i++) c.send({ t: "pub", id: 100 + i, room: "hist", cmid: `h${i}`, body: i });
      await c.next((f) => f.t === "ack" && f.id === 104);
      const newest = await c.request({ t: "history", room: "hist", limit: 2 });
      assert.deepEqual([(newest.events as Array<{ seq: number }>).map((e) => e.seq), newest.hasMore], [[4, 5], true]);
      const older = await c.request({ t: "history", room: "hist", before: 4, limit: 5 });
      assert.deepEqual([(older.events as Array<{ seq: number }>).map((e) => e.seq), older.hasMore], [[1, 2, 3], false]);
      const fwd = await c.request({ t: "history", room: "hist", after: 1, limit: 3 });
      assert.deepEqual([(fwd.events as Array<{ seq: number }>).map((e) => e.seq), fwd.hasMore], [[2, 3, 4], true]);
      c.close();
    });

    it("answers bad frames with error codes and survives them", async () => {
      const c = await TestClient.connect(h.wsUrl, "frank");
      c.send("not json");
      assert.equal((await c.next((f) => f.t === "error")).code, "BAD_JSON");
      c.send({ t: "nope", id: 4 });
      const unknown = await c.next((f) => f.t === "error");
      assert.deepEqual([unknown.code, unknown.id], ["UNKNOWN_FRAME", 4]);
      c.send({ t: "sub", id: 5, room: "bad room!" });
      const bad = await c.next((f) => f.t === "error");
      assert.deepEqual([bad.code, bad.id], ["BAD_FRAME", 5]);
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      assert.equal((await c.next((f) => f.t === "error")).code, "BAD_JSON");
      assert.equal((await c.request({ t: "ping" })).t, "pong");
      c.send("x".repeat(h.config.maxFrameBytes + 1));
      assert.equal((await c.closed).code, 1009);
    });

    it("refuses a browser Origin that is not allowed", async () => {
      const ws = new WebSocket(h.wsUrl, { headers: { origin: "http://evil.example" } });
      ws.on("error", () => {});
      const status = await new Promise((resolve) =>
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode)),
      );
      assert.equal(status, 403);
      const same = await TestClient.open(h.wsUrl, { origin: `http://127.0.0.1:${h.port}` });
      same.close();
    });
  });
}
