/**
 * The auto routing handover (feed-switch.ts) over fakes that let the test order what each feed brings:
 * the events tail and the redistributed feed (a real RoomJoins behind a fake backchannel) deliver into a
 * real RecentBuffer, as in KafkaLog, and the listeners must see each room's events once and in order
 * whichever feed runs ahead. The cluster test (test/cluster/auto-routing.test.ts) runs the same with real
 * processes, where the feeds rarely race this hard.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import type { EventsHandler, EventsTail } from "#server/kafka/log/events-tail.js";
import { FeedSwitch } from "#server/kafka/log/feed-switch.js";
import { RecentBuffer } from "#server/kafka/log/recent-buffer.js";
import type { RedistributedFeed } from "#server/kafka/log/redistributed-feed.js";
import { RoomJoins, type JoinSink } from "#server/kafka/log/room-joins.js";
import type { EventsRecord } from "#server/kafka/records.js";

const ev = (room: string, seq: number, kind: RoomEvent["kind"] = "message", body: unknown = null): RoomEvent =>
  ({ room, seq, id: `${room}-${seq}`, cmid: `c${seq}`, from: "u", kind, body, ts: 0 }) as RoomEvent;
const rec = (event: RoomEvent): EventsRecord => ({ type: "event", event, epoch: "", rid: "" });
const tick = () => new Promise((r) => setTimeout(r, 5));

/** The redistributed feed's surface FeedSwitch uses, over a real RoomJoins; the test plays the redistributor. */
class FakeFeed {
  delivering = false;
  readonly declared: Array<[string, number]> = [];
  readonly joins: RoomJoins;

  constructor(sink: JoinSink, history: RoomEvent[]) {
    this.joins = new RoomJoins({
      declare: (room, after) => this.declared.push([room, after]),
      withdraw: () => undefined,
      sink,
      lingerMs: 60_000,
      redeclareMs: 60_000,
      waitMs: 60_000,
      fill: async (room, after, before) => history.filter((e) => e.room === room && e.seq > after && e.seq < before),
    });
  }

  start = () => Promise.resolve();
  close = () => Promise.resolve();
  reading = () => true;
  activate(lastOf: (room: string) => number | null): void {
    this.joins.seam(lastOf);
    this.delivering = true;
  }
  unseam = () => this.joins.seam(undefined);
  deactivate(): void {
    this.delivering = false;
    this.joins.clear();
  }
  settled = () => this.joins.settled();
  follows = (room: string) => this.joins.follows(room);
  markTold = (event: RoomEvent) => this.joins.markTold(event);
  hold = (room: string) => this.joins.hold(room);
  want = (room: string) => this.joins.want(room);
  /** A forwarded record (delivered only while not dormant, as RedistributedFeed does). */
  forward(event: RoomEvent): void {
    if (this.delivering) this.joins.onForward(rec(event));
  }
}

/** A tail whose records the test hands in. */
class FakeTail {
  stopped = false;
  constructor(readonly handler: EventsHandler) {}
  start = () => Promise.resolve();
  close = () => Promise.resolve(void (this.stopped = true));
  reading = () => !this.stopped;
  lag = () => new Map<number, bigint>();
  bring(event: RoomEvent): void {
    if (!this.stopped) this.handler(rec(event), true);
  }
}

/** KafkaLog's side: the recent buffer refuses a seq it holds; what it takes live reaches the listeners. */
function harness(history: RoomEvent[] = [], handoverTimeoutMs = 5000) {
  const recent = new RecentBuffer({ perRoom: 1000, total: 100_000 });
  const delivered = new Map<string, number[]>();
  const told: RoomEvent[] = [];
  const tails: FakeTail[] = [];
  const deliver = (e: RoomEvent) => delivered.set(e.room, [...(delivered.get(e.room) ?? []), e.seq]);
  let feeds: FeedSwitch | undefined;
  const hand = (r: EventsRecord, live: boolean) => {
    if (r.type !== "event" || !recent.add(r.event)) return;
    if (live) deliver(r.event);
    feeds?.handed(r.event.room);
  };
  const feed = new FakeFeed(
    { event: hand, answer: () => undefined, outOfBand: (e) => told.push(e), forget: (room) => recent.drop(room) },
    history,
  );
  feeds = new FeedSwitch({
    tail: (_from, handler) => {
      const t = new FakeTail(handler);
      tails.push(t);
      return t as unknown as EventsTail;
    },
    feed: feed as unknown as RedistributedFeed,
    hand,
    lastOf: (room) => recent.lastSeq(room) ?? null,
    fill: async (room, after, before) => history.filter((e) => e.room === room && e.seq > after && e.seq < before),
    retain: (keep) => recent.retain(keep),
    warmupPerPartition: 0,
    drainMs: 30,
    handoverTimeoutMs,
    onError: () => undefined,
  });
  const tail = () => tails.at(-1)!;
  return { feeds, feed, tail, delivered, told, recent, tails };
}

describe("FeedSwitch: everything → redistributed", () => {
  it("the join runs ahead of the tail: its events are delivered (live), the tail's copies dropped, then the tail stops", async () => {
    const { feeds, feed, tail, delivered } = harness();
    await feeds.start();
    feeds.hold("r");
    for (let s = 1; s <= 5; s++) tail().bring(ev("r", s));
    const switched = feeds.switchTo("redistributed");
    assert.deepEqual(feed.declared, [["r", 5]]);
    // The redistributor has read further than the tail: its join brings 6..8.
    feed.joins.onJoin({ room: "r", last: 8, events: [ev("r", 6), ev("r", 7), ev("r", 8)] });
    for (let s = 6; s <= 9; s++) tail().bring(ev("r", s)); // the tail catches up: 6..8 are repeats, 9 is new
    feed.forward(ev("r", 9));
    feed.forward(ev("r", 10));
    assert.equal(await switched, true);
    assert.equal(feeds.current, "redistributed");
    assert.equal(tail().stopped, true);
    feed.forward(ev("r", 11));
    assert.deepEqual(delivered.get("r"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("the join starts past what the gateway holds (the redistributor's buffer is short): the hole comes from history", async () => {
    const history = [ev("r", 3), ev("r", 4)];
    const { feeds, feed, tail, delivered } = harness(history);
    await feeds.start();
    feeds.hold("r");
    tail().bring(ev("r", 1));
    tail().bring(ev("r", 2));
    const switched = feeds.switchTo("redistributed");
    feed.joins.onJoin({ room: "r", last: 6, events: [ev("r", 5), ev("r", 6)] });
    assert.equal(await switched, true);
    assert.deepEqual(delivered.get("r"), [1, 2, 3, 4, 5, 6]);
  });

  it("no join within the timeout: the handover is abandoned and the tail, which never stopped, goes on", async () => {
    const { feeds, feed, tail, delivered } = harness([], 50);
    await feeds.start();
    feeds.hold("r");
    tail().bring(ev("r", 1));
    assert.equal(await feeds.switchTo("redistributed"), false);
    assert.equal(feeds.current, "everything");
    assert.equal(feed.delivering, false);
    tail().bring(ev("r", 2));
    assert.deepEqual(delivered.get("r"), [1, 2]);
  });
});

describe("FeedSwitch: redistributed → everything", () => {
  /** A gateway that switched to redistributed and has room r followed up to `upTo`. */
  async function redistributed(history: RoomEvent[] = []) {
    const h = harness(history);
    await h.feeds.start();
    h.feeds.hold("r");
    h.tail().bring(ev("r", 1));
    const switched = h.feeds.switchTo("redistributed");
    h.feed.joins.onJoin({ room: "r", last: 1, events: [] });
    assert.equal(await switched, true);
    h.feed.forward(ev("r", 2));
    return h;
  }

  it("the new tail runs ahead of the lagging feed: its events wait until the feed hands on the ones before", async () => {
    const { feeds, feed, tail, tails, delivered } = await redistributed();
    const switched = feeds.switchTo("everything");
    await tick();
    assert.equal(tails.length, 2);
    tail().bring(ev("r", 5)); // the tail started at the end: 3 and 4 are still in the feed's hands
    tail().bring(ev("r", 6));
    assert.deepEqual(delivered.get("r"), [1, 2]);
    feed.forward(ev("r", 3));
    feed.forward(ev("r", 4));
    feed.forward(ev("r", 5)); // a repeat by now
    assert.equal(await switched, true);
    assert.equal(feeds.current, "everything");
    assert.equal(feed.delivering, false);
    tail().bring(ev("r", 7));
    assert.deepEqual(delivered.get("r"), [1, 2, 3, 4, 5, 6, 7]);
  });

  it("the feed never brings what the tail skipped: after the drain, the hole is read from history", async () => {
    const history = [ev("r", 3), ev("r", 4)];
    const { feeds, tail, delivered } = await redistributed(history);
    const switched = feeds.switchTo("everything");
    await tick();
    tail().bring(ev("r", 5));
    assert.equal(await switched, true);
    assert.deepEqual(delivered.get("r"), [1, 2, 3, 4, 5]);
  });

  it("a membership change of a room not followed reaches the listeners once, whichever feed brings it first", async () => {
    const { feeds, feed, tail, told, delivered } = await redistributed();
    const switched = feeds.switchTo("everything");
    await tick();
    const change = ev("other", 4, "system", { type: "member.joined", user: "ann" });
    feed.forward(change); // out of band, from the feed
    tail().bring(change); // and from the tail
    assert.equal(await switched, true);
    assert.deepEqual(told, [change]);
    assert.equal(delivered.get("other"), undefined);
  });
});
