import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CLOSE, type RoomEvent } from "@parley/protocol";
import { pino } from "pino";
import { defaultConfig, type ParleyConfig } from "#server/config/options.js";
import { Metrics } from "#server/metrics/metrics.js";
import { MemoryLog } from "../support/memory-log.js";
import { MemoryStore } from "../support/memory-store.js";
import { FakeTransport } from "../support/fake-transport.js";
import { Gateway } from "#server/gateway/gateway.js";
import { Session } from "#server/gateway/session.js";
import { planResume } from "#server/gateway/subscribe.js";
import { TestAuthenticator, range } from "../support/gateway-fixture.js";
import { waitUntil } from "../support/wait.js";

function setup(overrides: Partial<ParleyConfig> = {}) {
  const log = new MemoryLog();
  const config = { ...defaultConfig(), publishRatePerConnection: 100_000, publishRatePerUser: 100_000, ...overrides };
  const metrics = new Metrics(false);
  const deps = {
    log,
    store: new MemoryStore(),
    auth: new TestAuthenticator(),
    config,
    logger: pino({ level: "silent" }),
    metrics,
  };
  const gateway = new Gateway(deps);
  gateway.start();
  const open = async (user: string) => {
    const t = new FakeTransport();
    const s = new Session(gateway, t);
    t.inject({ t: "connect", versions: [1], user });
    await settle();
    return { t, s };
  };
  return { log, gateway, metrics, open };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const seqsOf = (t: FakeTransport) =>
  t
    .frames()
    .filter((f) => f.t === "event")
    .map((f) => f.seq as number);
/** Counts the log's page reads from now on. */
function countReads(log: MemoryLog): { n: number } {
  const read = log.read.bind(log);
  const reads = { n: 0 };
  log.read = (room, after, limit) => (reads.n++, read(room, after, limit));
  return reads;
}
const cmd = (room: string, i: number) => ({ room, cmid: `c${i}`, from: "p", kind: "message", body: i });

describe("planResume", () => {
  const head = { epoch: "E", lastSeq: 10 };
  it("decides start and recovered per the documented rules", () => {
    assert.deepEqual(planResume(head, undefined, undefined), { afterSeq: 10, recovered: true });
    assert.deepEqual(planResume(head, 4, "E"), { afterSeq: 4, recovered: true });
    assert.deepEqual(planResume(head, 4, undefined), { afterSeq: 4, recovered: true });
    assert.deepEqual(planResume(head, 4, "OLD"), { afterSeq: 0, recovered: false });
    assert.deepEqual(planResume(head, 11, "E"), { afterSeq: 0, recovered: false });
    assert.deepEqual(planResume(head, 10, "E"), { afterSeq: 10, recovered: true });
  });

  it("replays at most replayMax events (a token without history): older is skipped, not recovered", () => {
    assert.deepEqual(planResume(head, 0, "E", 3), { afterSeq: 7, recovered: false });
    assert.deepEqual(planResume(head, 7, "E", 3), { afterSeq: 7, recovered: true });
    assert.deepEqual(planResume(head, 4, "OLD", 3), { afterSeq: 7, recovered: false });
    assert.deepEqual(planResume(head, 11, "E", 3), { afterSeq: 7, recovered: false });
    assert.deepEqual(planResume(head, 2, "E", 0), { afterSeq: 10, recovered: false });
    assert.deepEqual(planResume(head, undefined, undefined, 0), { afterSeq: 10, recovered: true });
  });
});

describe("Session", () => {
  it("answers NOT_CONNECTED before connect and ALREADY_CONNECTED after", async () => {
    const { gateway } = setup();
    const t = new FakeTransport();
    new Session(gateway, t);
    t.inject({ t: "ping", id: 1 });
    assert.deepEqual(t.frames()[0], {
      t: "error",
      id: 1,
      code: "NOT_CONNECTED",
      message: "A `connect` frame must come first.",
      retryable: false,
    });
    t.inject({ t: "connect", versions: [1], user: "u" });
    t.inject({ t: "sub", id: 2, room: "pipelined" }); // queued while authenticating
    await settle();
    const kinds = t.frames().map((f) => f.t);
    assert.deepEqual(kinds, ["error", "connected", "subscribed", "join"]);
    t.inject({ t: "connect", id: 9, versions: [1], user: "u" });
    assert.equal(t.frames().at(-1)?.code, "ALREADY_CONNECTED");
  });

  it("resumes without gap or duplicate when events land between head, pages and go-live", async () => {
    const { log, open } = setup();
    for (let i = 1; i <= 600; i++) await log.append(cmd("r", i));
    // Every page read triggers more appends, which reach the subscription while it is catching up.
    const read = log.read.bind(log);
    let extra = 600;
    log.read = async (room, after, limit) => {
      const page = await read(room, after, limit);
      for (let i = 0; i < 7; i++) void log.append(cmd(room, ++extra));
      return page;
    };
    const { t } = await open("c");
    t.inject({ t: "sub", id: 1, room: "r", since: 100 });
    await settle();
    await settle();
    assert.equal(t.frames().find((f) => f.t === "subscribed")?.recovered, true);
    assert.ok(extra > 600, "events were appended during the resume");
    assert.deepEqual(seqsOf(t), range(101, extra));
  });

  it("shares one page read between clients resuming a room from the same position", async () => {
    const { log, open } = setup();
    for (let i = 1; i <= 300; i++) await log.append(cmd("storm", i));
    const reads = countReads(log);
    const clients = await Promise.all(range(1, 20).map((i) => open(`s${i}`)));
    for (const { t } of clients) t.inject({ t: "sub", id: 1, room: "storm", since: 10 });
    await settle();
    for (const { t } of clients) assert.deepEqual(seqsOf(t), range(11, 300));
    assert.equal(reads.n, 2, "two pages (256 + 34 events), each read once for all 20 clients");
  });

  it("reads afresh once the room has a new event (a delete may have rewritten history)", async () => {
    const { log, open } = setup();
    for (let i = 1; i <= 5; i++) await log.append(cmd("fresh", i));
    const reads = countReads(log);
    const a = await open("a");
    a.t.inject({ t: "sub", id: 1, room: "fresh", since: 2 });
    await settle();
    await log.append(cmd("fresh", 6));
    const b = await open("b");
    b.t.inject({ t: "sub", id: 1, room: "fresh", since: 2 });
    await settle();
    assert.equal(reads.n, 2);
    assert.deepEqual(seqsOf(a.t), range(3, 6));
    assert.deepEqual(seqsOf(b.t), range(3, 6));
  });

  it("a position of the current epoch beyond a lagging head waits for the head: nothing sent twice", async () => {
    const { log, open } = setup();
    for (let i = 1; i <= 5; i++) await log.append(cmd("lag", i));
    const { epoch } = await log.head("lag");
    // This gateway has seen only seq 3 at first (a redistributor that took over replays from its committed offset).
    const head = log.head.bind(log);
    let lagging = 3;
    log.head = async (room) => ({ ...(await head(room)), ...(lagging-- > 0 && { lastSeq: 3 }) });
    const { t } = await open("c");
    t.inject({ t: "sub", id: 1, room: "lag", since: 5, epoch });
    await waitUntil(() => t.frames().some((f) => f.t === "subscribed"), "the subscribed reply");
    const subscribed = t.frames().find((f) => f.t === "subscribed");
    assert.equal(subscribed?.recovered, true);
    assert.equal(subscribed?.lastSeq, 5);
    await log.append(cmd("lag", 6));
    await waitUntil(() => seqsOf(t).length > 0, "the live event");
    assert.deepEqual(seqsOf(t), [6], "seq 1..5 are not sent again");
  });

  it("stops a resume that was unsubscribed midway", async () => {
    const { log, open } = setup();
    for (let i = 1; i <= 10; i++) await log.append(cmd("u", i));
    const { t } = await open("c");
    t.inject({ t: "sub", id: 1, room: "u", since: 0 });
    t.inject({ t: "unsub", id: 2, room: "u" });
    await settle();
    await log.append(cmd("u", 11));
    assert.deepEqual(seqsOf(t), []);
    assert.equal(t.frames().filter((f) => f.t === "subscribed").length, 0);
    assert.ok(t.frames().some((f) => f.t === "unsubscribed"));
  });

  it("cuts off a connection whose buffer overflows and counts it", async () => {
    const { log, open, metrics, gateway } = setup({ maxBufferedBytes: 1000 });
    const slow = await open("slow");
    const fine = await open("fine");
    slow.t.inject({ t: "sub", id: 1, room: "s" });
    fine.t.inject({ t: "sub", id: 1, room: "s" });
    await settle();
    slow.t.buffered = 5000;
    await log.append(cmd("s", 1));
    await log.append(cmd("s", 2));
    assert.equal(slow.t.closed?.code, CLOSE.SLOW_CONSUMER);
    assert.equal((await metrics.bufferDrops.get()).values[0]?.value, 1);
    assert.deepEqual(seqsOf(fine.t), [1, 2]);
    assert.equal(gateway.stats().rooms, 1);
  });

  it("encodes each event once for all subscribers", async () => {
    const { log, open } = setup();
    const a = await open("a");
    const b = await open("b");
    a.t.inject({ t: "sub", id: 1, room: "once" });
    b.t.inject({ t: "sub", id: 1, room: "once" });
    await settle();
    const shared: unknown[] = [];
    a.t.sendFrame = (f) => shared.push(f);
    b.t.sendFrame = (f) => shared.push(f);
    const e: RoomEvent = (await log.append(cmd("once", 1))).event;
    assert.equal(shared.length, 2);
    assert.equal(shared[0], shared[1], "the same OutboundFrame object");
    assert.equal(e.seq, 1);
  });

  it("closes with CONNECT_TIMEOUT and frees the user's slot on close", async () => {
    const { gateway } = setup({ connectTimeoutMs: 10, maxConnectionsPerUser: 1 });
    const t = new FakeTransport();
    new Session(gateway, t);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(t.closed?.code, CLOSE.CONNECT_TIMEOUT);
    assert.equal(gateway.acquireUser("x"), true);
    gateway.releaseUser("x");
    assert.equal(gateway.acquireUser("x"), true);
  });
});
