import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Json, RoomEvent } from "@parley/protocol";
import { LocalPresence } from "#server/presence/local-presence.js";
import { silentLogger } from "#server/logger.js";
import type { EventListener } from "#server/log/event-log.js";
import { MemoryStore } from "../support/memory-store.js";
import { Notifier } from "#server/notify/notifier.js";
import { PUSH_TEXT_MAX, pushPayload, truncate, type PushPayload } from "#server/notify/push-payload.js";
import { decideRecipients, pushCandidates } from "#server/notify/recipients.js";

let seq = 0;
function event(room: string, from: string, body: Json, kind = "message"): RoomEvent {
  seq += 1;
  return { room, seq, id: `e${seq}`, from, ts: 0, kind, body, cmid: `c${seq}` };
}

describe("pushCandidates", () => {
  it("names the DM peer and never the sender", () => {
    assert.deepEqual(pushCandidates(event("dm:amy:bob", "amy", { text: "hi" })), [{ user: "bob", reason: "dm" }]);
    assert.deepEqual(pushCandidates(event("dm:amy:bob", "bob", { text: "@bob @amy" })), [
      { user: "amy", reason: "dm" },
    ]);
  });

  it("names each mentioned user once, in order, but not a self-mention", () => {
    const e = event("team", "amy", { text: "@cy and @dan, @cy again, and me @amy." });
    assert.deepEqual(pushCandidates(e), [
      { user: "cy", reason: "mention" },
      { user: "dan", reason: "mention" },
    ]);
  });

  it("ignores everything that is not a chat message", () => {
    assert.deepEqual(pushCandidates(event("team", "amy", { target: 1, text: "@cy" }, "edit")), []);
    assert.deepEqual(pushCandidates(event("team", "amy", { upTo: 1 }, "receipt")), []);
    assert.deepEqual(pushCandidates(event("team", "amy", { blob: "@cy" })), []);
    assert.deepEqual(pushCandidates(event("dm:amy:bob", "amy", [1, 2])), []);
    assert.deepEqual(pushCandidates(event("team", "amy", { text: "@cy" }, "custom")), []);
  });
});

describe("decideRecipients", () => {
  const candidates = [
    { user: "bob", reason: "dm" as const },
    { user: "cy", reason: "mention" as const },
    { user: "dan", reason: "mention" as const },
  ];
  it("keeps those the room admits who are not present", () => {
    const facts = { present: new Set(["cy"]), mayRead: new Set(["bob", "cy"]) };
    assert.deepEqual(decideRecipients(candidates, facts), [{ user: "bob", reason: "dm" }]);
  });
  it("keeps nobody when nobody may read", () => {
    assert.deepEqual(decideRecipients(candidates, { present: new Set(), mayRead: new Set() }), []);
  });
});

describe("pushPayload", () => {
  it("carries room, seq, sender, reason and the text", () => {
    const e = event("team", "amy", { text: "hello @cy" });
    assert.deepEqual(pushPayload(e, "mention"), {
      room: "team",
      seq: e.seq,
      from: "amy",
      text: "hello @cy",
      kind: "mention",
    });
  });
  it("cuts long text without splitting a surrogate pair", () => {
    const long = pushPayload(event("team", "amy", { text: "x".repeat(5000) }), "mention").text;
    assert.equal(long.length, PUSH_TEXT_MAX);
    assert.ok(long.endsWith("…"));
    assert.equal(truncate("ab😀cd", 4), "ab…");
    assert.equal(truncate("abc😀d", 4), "abc…");
    assert.equal(truncate("abcd", 4), "abcd");
  });
});

class FakeFeed {
  listener: EventListener | undefined;
  subscribe(l: EventListener): () => void {
    this.listener = l;
    return () => (this.listener = undefined);
  }
}

describe("Notifier", () => {
  async function setup() {
    const store = new MemoryStore();
    const presence = new LocalPresence();
    const feed = new FakeFeed();
    const sent: { user: string; payload: PushPayload }[] = [];
    const seen: number[] = [];
    const push = { sendToUser: async (user: string, payload: PushPayload) => void sent.push({ user, payload }) };
    const onEvent = (e: RoomEvent) => void seen.push(e.seq);
    const notifier = new Notifier({ feed, store, presence, push, onEvent, logger: silentLogger() });
    notifier.start();
    return { store, presence, feed, sent, seen, notifier };
  }

  it("applies room rules and presence: private members only, present users skipped", async () => {
    const { store, presence, feed, sent, notifier } = await setup();
    await store.createRoom({ id: "secret", type: "private", name: "s", createdBy: "amy" });
    await store.addMember("secret", "cy");
    presence.join("open", "dan", "conn1");
    feed.listener!(event("secret", "amy", { text: "@cy @dan @amy" }));
    feed.listener!(event("open", "amy", { text: "@cy @dan" }));
    feed.listener!(event("dm:amy:bob", "amy", { text: "@cy hi" }));
    await notifier.idle();
    assert.deepEqual(
      sent.map((s) => [s.user, s.payload.room, s.payload.kind]),
      [
        ["cy", "secret", "mention"],
        ["cy", "open", "mention"],
        ["bob", "dm:amy:bob", "dm"],
      ],
    );
  });

  it("decides presence as the event arrives: no room rule read and nothing queued when every candidate is present", async () => {
    const { store, presence, feed, sent, notifier } = await setup();
    await store.createRoom({ id: "team", type: "private", name: "t", createdBy: "amy" });
    await store.addMember("team", "cy");
    let ruleReads = 0;
    const getRoom = store.getRoom.bind(store);
    store.getRoom = (room: string) => (ruleReads++, getRoom(room));
    presence.join("team", "cy", "conn1");
    presence.join("dm:amy:bob", "bob", "conn2");
    feed.listener!(event("team", "amy", { text: "@cy look" }));
    feed.listener!(event("dm:amy:bob", "amy", { text: "hi" }));
    await notifier.idle();
    assert.equal(ruleReads, 0);
    assert.equal(sent.length, 0);
    // Leaving afterwards changes nothing for those events; the next one is pushed.
    presence.leave("dm:amy:bob", "bob", "conn2");
    feed.listener!(event("dm:amy:bob", "amy", { text: "still there?" }));
    await notifier.idle();
    assert.deepEqual(
      sent.map((s) => [s.user, s.payload.kind]),
      [["bob", "dm"]],
    );
  });

  it("passes every event to onEvent in order and stops taking events after stop", async () => {
    const { feed, seen, sent, notifier } = await setup();
    const a = event("r1", "amy", { upTo: 1 }, "receipt");
    const b = event("dm:amy:bob", "amy", { text: "x" });
    feed.listener!(a);
    feed.listener!(b);
    await notifier.stop();
    assert.deepEqual(seen, [a.seq, b.seq]);
    assert.equal(sent.length, 1);
    assert.equal(feed.listener, undefined);
  });

  it("keeps going when a push fails", async () => {
    const { feed, notifier, presence, store } = await setup();
    let calls = 0;
    const failing = new Notifier({
      feed,
      store,
      presence,
      logger: silentLogger(),
      push: {
        sendToUser: async () => {
          if (calls++ === 0) throw new Error("boom");
        },
      },
    });
    await notifier.stop();
    failing.start();
    feed.listener!(event("dm:amy:bob", "amy", { text: "1" }));
    feed.listener!(event("dm:amy:bob", "amy", { text: "2" }));
    await failing.idle();
    assert.equal(calls, 2);
  });
});
