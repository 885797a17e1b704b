import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  gatewaysTouched,
  gatewaysTouchedAtRandom,
  gatewaysTouchedRoundRobin,
  neededFraction,
  type RoomClass,
} from "#server/kafka/routing/room-spread.js";

describe("room spread", () => {
  it("a room at random over G gateways touches G(1-(1-1/G)^n) of them", () => {
    assert.equal(gatewaysTouchedAtRandom(1, 8), 1);
    assert.ok(Math.abs(gatewaysTouchedAtRandom(2, 2) - 1.5) < 1e-12);
    assert.ok(Math.abs(gatewaysTouchedAtRandom(10, 4) - 4 * (1 - 0.75 ** 10)) < 1e-12);
    assert.equal(gatewaysTouchedAtRandom(5, 1), 1);
    assert.equal(gatewaysTouchedAtRandom(0, 8), 0);
    const huge = gatewaysTouchedAtRandom(10_000_000, 1000);
    assert.ok(huge > 999.999 && huge <= 1000);
  });

  it("a room dealt round-robin touches min(n, G) gateways", () => {
    assert.equal(gatewaysTouchedRoundRobin(3, 8), 3);
    assert.equal(gatewaysTouchedRoundRobin(20, 8), 8);
    assert.equal(gatewaysTouchedRoundRobin(0, 8), 0);
  });

  it("a local room touches as few gateways as hold its members", () => {
    const placement = { gateways: 10, connectionsPerGateway: 100, spread: 0 };
    assert.equal(gatewaysTouched(50, placement), 1);
    assert.equal(gatewaysTouched(250, placement), 3);
    assert.equal(gatewaysTouched(5000, placement), 10);
  });

  it("f goes from 1/G (all local) to 1 (large rooms spread everywhere)", () => {
    const rooms: RoomClass[] = [{ members: 10, rooms: 100, eventsPerSecPerRoom: 1 }];
    const base = { gateways: 8, connectionsPerGateway: 1000 };
    assert.equal(neededFraction(rooms, { ...base, spread: 0 }), 1 / 8);
    const spread = neededFraction(rooms, { ...base, spread: 1 });
    assert.ok(Math.abs(spread - (1 - (7 / 8) ** 10)) < 1e-12);
    const half = neededFraction(rooms, { ...base, spread: 0.5 });
    assert.ok(Math.abs(half - (1 / 8 + spread) / 2) < 1e-12, "linear in the spread");
    assert.equal(
      neededFraction([{ members: 10, rooms: 1, eventsPerSecPerRoom: 1 }], { ...base, gateways: 1, spread: 1 }),
      1,
    );
    assert.equal(neededFraction([], { ...base, spread: 1 }), 0);
  });

  it("weighs rooms by their events", () => {
    const rooms: RoomClass[] = [
      { members: 1000, rooms: 1, eventsPerSecPerRoom: 0 },
      { members: 1, rooms: 10, eventsPerSecPerRoom: 1 },
    ];
    const f = neededFraction(rooms, { gateways: 4, connectionsPerGateway: 10, spread: 1 });
    assert.ok(Math.abs(f - 1 / 4) < 1e-12);
  });
});
