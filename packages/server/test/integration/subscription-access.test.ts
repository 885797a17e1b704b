/**
 * What a subscription may read, on both transports (WebSocket and SSE), in
 * one embedded server: a resume replays the past only with `history`
 * (docs/protocol.md, "Resume"); losing access to a room ends its open
 * subscriptions at once ("Access changes"). The cluster case (the change
 * made through another gateway) is in cluster/cluster.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ServerFrame, SubscribedFrame } from "@parley/protocol";
import { defaultConfig } from "#server/config/options.js";
import { silentLogger } from "#server/logger.js";
import { createParleyServer, type ParleyServer } from "#server/server.js";
import { range, seqs, uniqueRoom } from "../support/fixtures.js";
import { RawClient } from "../support/raw-client.js";
import { restAs } from "../support/rest-as.js";
import { SseClient } from "../support/sse-client.js";
import { mintTestToken } from "../support/tokens.js";

const SECRET = "subscription-access-secret";
/** resumeWithoutHistory of the server under test. */
const REPLAY_MAX = 3;
const SUBSCRIBE_ONLY = { "*": ["subscribe"] };

/** The subscription's side of one transport: subscribe, and the events of a room received so far. */
interface Subscriber {
  request(frame: Record<string, unknown> & { t: string }): Promise<ServerFrame>;
  seqs(room: string): number[];
  waitForEvents(room: string, count: number): Promise<unknown>;
  waitFor(pred: (f: ServerFrame) => boolean): Promise<ServerFrame>;
  close(): void;
}

let server: ParleyServer;
let base: string;
const dir = mkdtempSync(join(tmpdir(), "parley-sub-access-"));

before(async () => {
  const config = { ...defaultConfig(), host: "127.0.0.1", port: 0, dataDir: dir, jwtSecret: SECRET };
  config.durability = "normal";
  config.resumeWithoutHistory = REPLAY_MAX;
  server = createParleyServer(config, { logger: silentLogger() });
  base = (await server.start()).url;
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function rest(user: string, caps?: Record<string, string[]>) {
  return restAs(base, { token: await mintTestToken(SECRET, user, caps) });
}

const transports: Record<string, (user: string, caps?: Record<string, string[]>) => Promise<Subscriber>> = {
  websocket: async (user, caps) => {
    const c = await RawClient.connect(base.replace(/^http/, "ws") + "/v1/ws", {
      token: await mintTestToken(SECRET, user, caps),
    });
    return {
      request: (f) => c.request(f),
      seqs: (room) => seqs(c.events(room)),
      waitForEvents: (room, n) => c.waitForEvents(room, n),
      waitFor: (pred) => c.waitFor(pred),
      close: () => c.terminate(),
    };
  },
  sse: async (user, caps) => {
    const c = await SseClient.connect(base, { token: await mintTestToken(SECRET, user, caps) });
    return {
      request: (f) => c.request(f),
      seqs: (room) => seqs(c.events(room)),
      waitForEvents: (room, n) => c.waitForEvents(room, n),
      waitFor: (pred) => c.waitFor(pred),
      close: () => c.destroy(),
    };
  },
};

for (const [transport, open] of Object.entries(transports)) {
  describe(`subscription access over ${transport}`, () => {
    it("a resume replays the past only with `history`: without it, at most resumeWithoutHistory events", async () => {
      const room = uniqueRoom("resume-caps");
      const alice = await rest("alice");
      for (let i = 1; i <= 6; i++) await alice.publish(room, { text: `m${i}` });
      const watcher = await open("watcher", SUBSCRIBE_ONLY);
      assert.equal((await watcher.request({ t: "history", room })).t, "error", "history is refused");
      const sub = (await watcher.request({ t: "sub", room, since: 0 })) as SubscribedFrame;
      assert.deepEqual([sub.t, sub.lastSeq, sub.recovered], ["subscribed", 6, false]);
      await alice.publish(room, { text: "live" });
      await watcher.waitForEvents(room, REPLAY_MAX + 1);
      assert.deepEqual(watcher.seqs(room), range(6 - REPLAY_MAX + 1, 7), "the last REPLAY_MAX, then live");

      const recent = await open("watcher", SUBSCRIBE_ONLY);
      const exact = (await recent.request({ t: "sub", room, since: 5 })) as SubscribedFrame;
      assert.equal(exact.recovered, true, "a recent position resumes exactly");
      await recent.waitForEvents(room, 2);
      assert.deepEqual(recent.seqs(room), [6, 7]);

      const reader = await open("reader", { "*": ["subscribe", "history"] });
      const full = (await reader.request({ t: "sub", room, since: 0 })) as SubscribedFrame;
      assert.equal(full.recovered, true);
      await reader.waitForEvents(room, 7);
      assert.deepEqual(reader.seqs(room), range(1, 7));
      for (const c of [watcher, recent, reader]) c.close();
    });
    it("leaving a private room ends its subscriptions at once; the others' go on", async () => {
      const room = uniqueRoom("leave");
      const alice = await rest("alice");
      assert.equal((await alice.call("POST", "/v1/rooms", { id: room, type: "private", name: "p" })).status, 201);
      assert.equal((await alice.call("POST", `/v1/rooms/${room}/members`, { user: "bob" })).status, 201);
      const [bob, stays] = [await open("bob"), await open("alice")];
      for (const c of [bob, stays]) assert.equal((await c.request({ t: "sub", room })).t, "subscribed");
      const before = await alice.publish(room, { text: "before" });
      await bob.waitForEvents(room, 1);
      assert.equal((await (await rest("bob")).call("POST", `/v1/rooms/${room}/leave`)).status, 200);
      const ended = await bob.waitFor((f) => f.t === "unsubscribed" && f.room === room);
      assert.deepEqual(ended, { t: "unsubscribed", room, code: "FORBIDDEN" }, "no id: the server ended it");
      const after = await alice.publish(room, { text: "after" });
      await stays.waitForEvents(room, 3);
      assert.deepEqual(stays.seqs(room), [before, before + 1, after], "the leave is an event (member.left) between");
      assert.deepEqual(bob.seqs(room), [before], "nothing sequenced after the leave reaches bob");
      assert.equal((await bob.request({ t: "sub", room })).t, "error", "and he cannot subscribe again");
      for (const c of [bob, stays]) c.close();
    });

    it("a room created private ends the subscriptions its open id had, but the creator's", async () => {
      const room = uniqueRoom("turned");
      const [carol, creator] = [await open("carol"), await open("alice")];
      for (const c of [carol, creator]) assert.equal((await c.request({ t: "sub", room })).t, "subscribed");
      const alice = await rest("alice");
      assert.equal((await alice.call("POST", "/v1/rooms", { id: room, type: "private", name: "p" })).status, 201);
      const ended = await carol.waitFor((f) => f.t === "unsubscribed" && f.room === room);
      assert.equal((ended as { code?: string }).code, "FORBIDDEN");
      const seq = await alice.publish(room, { text: "members only" });
      await creator.waitForEvents(room, 2);
      assert.deepEqual(creator.seqs(room), [1, seq], "the access change (a system event, seq 1), then the message");
      assert.deepEqual(carol.seqs(room), []);
      for (const c of [carol, creator]) c.close();
    });
  });
}
