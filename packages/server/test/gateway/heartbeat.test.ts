import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { encodeFrame } from "@parley/protocol";
import { pino } from "pino";
import type { Principal } from "#server/auth/principal.js";
import { defaultConfig } from "#server/config/options.js";
import { Gateway } from "#server/gateway/gateway.js";
import { Session } from "#server/gateway/session.js";
import { Metrics } from "#server/metrics/metrics.js";
import { OutboundFrame } from "#server/transport/outbound-frame.js";
import { FakeTransport } from "../support/fake-transport.js";
import { MemoryLog } from "../support/memory-log.js";
import { MemoryStore } from "../support/memory-store.js";

const principal: Principal = { user: "u", caps: { "*": ["*"] }, expiresAt: undefined, dev: true };
const config = defaultConfig();
const HB = config.heartbeatMs;

/**
 * A connected session on a fake transport, with the test's own clock (`later(ms)` moves it): `pings()` counts the
 * server pings it was sent. The handshake itself is traffic both ways, so each test starts an interval after it.
 */
async function connected(ctx: TestContext) {
  ctx.mock.timers.enable({ apis: ["Date"], now: 1_000_000 });
  const gateway = new Gateway({
    log: new MemoryLog(),
    store: new MemoryStore(),
    auth: { authenticate: () => Promise.resolve(principal) },
    config,
    logger: pino({ level: "silent" }),
    metrics: new Metrics(false),
  });
  const t = new FakeTransport();
  const session = new Session(gateway, t);
  t.inject({ t: "connect", versions: [1], user: "u" });
  await nextTurn();
  assert.equal(session.state.name, "connected");
  const pings = () => t.frames().filter((f) => f.t === "ping").length;
  const later = (ms: number) => ctx.mock.timers.tick(ms);
  later(HB);
  return { t, session, pings, later };
}

describe("Heartbeat pings", () => {
  it("pings an idle connection on every tick, and a pong alone does not stop the next one", async (ctx) => {
    const { t, session, pings, later } = await connected(ctx);
    session.tick(Date.now());
    assert.equal(pings(), 1);
    t.inject({ t: "pong" });
    later(HB);
    session.tick(Date.now());
    assert.equal(pings(), 2, "pongs prove liveness but are not traffic that makes a ping redundant");
  });

  it("skips the ping after frames both ways (sent in the last half interval, heard in the last), and pings once they stop", async (ctx) => {
    const { t, session, pings, later } = await connected(ctx);
    t.inject({ t: "ping", id: 1 }); // a client frame, answered by a pong: traffic both ways
    assert.equal(t.frames().filter((f) => f.t === "pong").length, 1);
    later(HB / 2 - 1);
    session.tick(Date.now());
    assert.equal(pings(), 0, "both sides have heard from each other");
    later(2);
    session.tick(Date.now());
    assert.equal(pings(), 1, "nothing sent for half an interval: the client must hear something");
  });

  it("skips the ping while the client was heard within the interval and this side sent recently", async (ctx) => {
    const { t, session, pings, later } = await connected(ctx);
    t.inject({ t: "pong", id: 7 }); // a frame that is not the bare pong, and gets no answer
    later(HB - 1);
    session.sendFrame(new OutboundFrame(encodeFrame({ t: "typing", room: "r", user: "v" })));
    session.tick(Date.now());
    assert.equal(pings(), 0, "heard within the interval, sent just now");
    later(2);
    session.sendFrame(new OutboundFrame(encodeFrame({ t: "typing", room: "r", user: "v" })));
    session.tick(Date.now());
    assert.equal(pings(), 1, "not heard for an interval: the ping asks the client for a frame");
  });

  it("still pings a connection that only receives", async (ctx) => {
    const { session, pings } = await connected(ctx);
    session.sendFrame(new OutboundFrame(encodeFrame({ t: "typing", room: "r", user: "v" })));
    session.tick(Date.now());
    assert.equal(pings(), 1, "the server has not heard from this client");
  });

  it("still pings a connection that only sends", async (ctx) => {
    const { t, session, pings } = await connected(ctx);
    t.inject({ t: "pong", id: 7 }); // a frame that is not the bare pong, and gets no answer
    session.tick(Date.now());
    assert.equal(pings(), 1, "the client has not heard from the server");
  });
});
