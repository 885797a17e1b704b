import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AdminStats, Totals } from "../src/admin/admin-api.js";
import { refusalMessage } from "../src/admin/admin-api.js";
import { HISTORY_POINTS, emptyHistory, ratesBetween, withPoint } from "../src/admin/rates.js";

function snapshot(at: number, totals: Partial<Totals>): AdminStats {
  const zero = {
    connections: 0,
    users: 0,
    rooms: 0,
    messagesIn: 0,
    messagesOut: 0,
    slowConsumerCuts: 0,
    rateLimited: 0,
  };
  return {
    at,
    mode: "embedded",
    node: "embedded",
    totals: { ...zero, ...totals },
    occupiedRooms: 0,
    topRooms: { byConnections: [], byMessages: [] },
    nodes: [],
  };
}

describe("admin rates", () => {
  it("are counter differences over the time between two snapshots; none for the first, never negative", () => {
    const a = snapshot(10_000, { messagesIn: 100, messagesOut: 300, rateLimited: 4 });
    const b = snapshot(12_000, { messagesIn: 130, messagesOut: 390, rateLimited: 4 });
    assert.deepEqual(ratesBetween(a, b), { messagesIn: 15, messagesOut: 45, slowConsumerCuts: 0, rateLimited: 0 });
    assert.deepEqual(ratesBetween(undefined, b), {
      messagesIn: 0,
      messagesOut: 0,
      slowConsumerCuts: 0,
      rateLimited: 0,
    });
    // A node restarted (its counters began again): no negative rate.
    assert.equal(ratesBetween(b, snapshot(13_000, { messagesIn: 5 })).messagesIn, 0);
  });

  it("keep the last HISTORY_POINTS points for the charts", () => {
    let history = emptyHistory();
    for (let i = 0; i < HISTORY_POINTS + 5; i++) {
      const s = snapshot(i * 1000, { connections: i });
      history = withPoint(history, s, ratesBetween(undefined, s));
    }
    assert.equal(history.time.length, HISTORY_POINTS);
    assert.equal(history.connections.at(-1), HISTORY_POINTS + 4);
    assert.equal(history.time[0], 5);
  });

  it("refusals say what to do", () => {
    assert.match(refusalMessage(404, "SERVER_API_DISABLED"), /off on this server/);
    assert.match(refusalMessage(401, "UNAUTHORIZED"), /401 UNAUTHORIZED/);
    assert.match(refusalMessage(403, "FORBIDDEN"), /admin scope/);
    assert.match(refusalMessage(503, "UNAVAILABLE"), /503 UNAVAILABLE; retrying/);
  });
});
