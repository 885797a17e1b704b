import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { CLOSE, type ConnectedFrame } from "@parley/protocol";
import { pino } from "pino";
import type { Authenticator } from "#server/auth/authenticator.js";
import type { Principal } from "#server/auth/principal.js";
import { defaultConfig } from "#server/config/options.js";
import { Gateway } from "#server/gateway/gateway.js";
import { Session } from "#server/gateway/session.js";
import { SESSION_TRANSITIONS } from "#server/gateway/session-state.js";
import { Metrics } from "#server/metrics/metrics.js";
import { assertEveryMove } from "../support/diagram.js";
import { FakeTransport } from "../support/fake-transport.js";
import { MemoryLog } from "../support/memory-log.js";
import { MemoryStore } from "../support/memory-store.js";

const principal: Principal = { user: "u", caps: { "*": ["*"] }, expiresAt: undefined, dev: true };

/** An authenticator that answers only when the test says so, so a session can be seen authenticating. */
class GatedAuthenticator implements Authenticator {
  private readonly waiting: Array<(p: Principal) => void> = [];
  authenticate(): Promise<Principal> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  /** Lets every pending authentication succeed, then runs what they continue. */
  async admit(): Promise<void> {
    for (const resolve of this.waiting.splice(0)) resolve(principal);
    await nextTurn();
  }
}

function setup() {
  const auth = new GatedAuthenticator();
  const gateway = new Gateway({
    log: new MemoryLog(),
    store: new MemoryStore(),
    auth,
    config: defaultConfig(),
    logger: pino({ level: "silent" }),
    metrics: new Metrics(false),
  });
  const t = new FakeTransport();
  let closes = 0;
  const session = new Session(gateway, t, () => closes++);
  return { auth, gateway, t, session, closes: () => closes };
}

const connect = { t: "connect", versions: [1], user: "u" };
const connectedFrame = (s: Session): ConnectedFrame => ({
  t: "connected",
  version: 1,
  session: s.id,
  user: principal.user,
  heartbeatMs: 1000,
  limits: { maxMessageBytes: 1, maxSubscriptions: 1, maxFrameBytes: 1, publishRate: 1, publishBurst: 1 },
});

describe("Session states", () => {
  it("has the diagram awaiting → authenticating → connected → closed, closed terminal", () => {
    assert.deepEqual(SESSION_TRANSITIONS, {
      awaiting: ["authenticating", "closed"],
      authenticating: ["connected", "closed"],
      connected: ["closed"],
      closed: [],
    });
    assertEveryMove("session", SESSION_TRANSITIONS);
  });

  it("awaiting → authenticating → connected (holding the principal) → closed", async () => {
    const { auth, t, session, closes } = setup();
    assert.deepEqual(session.state, { name: "awaiting" });
    t.inject(connect);
    assert.deepEqual(session.state, { name: "authenticating" });
    await auth.admit();
    assert.deepEqual(session.state, { name: "connected", principal });
    assert.equal(session.user, "u");
    assert.equal(t.frames().at(-1)?.t, "connected");
    t.close(1000, "client left");
    assert.deepEqual(session.state, { name: "closed" });
    assert.equal(session.user, "", "the principal went with the connected state");
    assert.equal(closes(), 1);
  });

  it("awaiting → closed", () => {
    const { t, session, closes } = setup();
    session.close(CLOSE.SHUTDOWN, "shutdown");
    assert.deepEqual(session.state, { name: "closed" });
    assert.equal(t.closed?.code, CLOSE.SHUTDOWN);
    assert.equal(closes(), 1);
  });

  it("authenticating → closed; an authentication that ends later does not connect it", async () => {
    const { auth, gateway, t, session, closes } = setup();
    t.inject(connect);
    session.close(CLOSE.SHUTDOWN, "shutdown");
    assert.deepEqual(session.state, { name: "closed" });
    await auth.admit();
    assert.deepEqual(session.state, { name: "closed" });
    assert.equal(t.frames().filter((f) => f.t === "connected").length, 0);
    assert.equal(closes(), 1);
    for (let i = 0; i < gateway.config.maxConnectionsPerUser; i++) assert.ok(gateway.acquireUser("u"), "no slot taken");
  });

  it("closes once: closing a closed session does nothing", async () => {
    const { auth, t, session, closes } = setup();
    t.inject(connect);
    await auth.admit();
    session.close(CLOSE.SHUTDOWN, "shutdown");
    session.close(CLOSE.SLOW_CONSUMER, "again");
    t.inject({ t: "ping", id: 1 });
    assert.deepEqual(session.state, { name: "closed" });
    assert.equal(t.closed?.code, CLOSE.SHUTDOWN);
    assert.equal(closes(), 1);
  });

  it("throws on an illegal move and keeps its state: awaiting, connected or closed → connected", async () => {
    const { auth, t, session } = setup();
    assert.throws(() => session.connected(principal, connectedFrame(session)), {
      name: "IllegalTransitionError",
      message: /awaiting -> connected/,
    });
    assert.deepEqual(session.state, { name: "awaiting" });
    t.inject(connect);
    await auth.admit();
    assert.throws(() => session.connected(principal, connectedFrame(session)), /connected -> connected/);
    assert.deepEqual(session.state, { name: "connected", principal });
    session.close(CLOSE.SHUTDOWN, "shutdown");
    assert.throws(() => session.connected(principal, connectedFrame(session)), /closed -> connected/);
    assert.deepEqual(session.state, { name: "closed" });
    assert.equal(t.frames().filter((f) => f.t === "connected").length, 1, "only the real handshake answered");
  });
});

describe("Session state", () => {
  it("has no setter", () => {
    const { session } = setup();
    // @ts-expect-error -- the state changes only through Session.transition
    assert.throws(() => (session.state = { name: "closed" }), TypeError);
    assert.deepEqual(session.state, { name: "awaiting" });
  });
});
