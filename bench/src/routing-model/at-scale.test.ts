import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PRIOR_CALIBRATION } from "@parley/server/routing/calibration.js";
import { crossoverSeries, crossoverSpread, fractionsAt, SCALE, scaleRow, zipfRooms } from "./at-scale.js";

describe("predictions at scale", () => {
  it("Zipf rooms hold the memberships; a smaller exponent means fewer, larger rooms", () => {
    const heavy = zipfRooms(1.5);
    const light = zipfRooms(2.5);
    for (const z of [heavy, light]) {
      const members = z.classes.reduce((s, c) => s + c.rooms * c.members, 0);
      assert.ok(Math.abs(members / (SCALE.connections * SCALE.roomsPerConnection) - 1) < 1e-9);
    }
    assert.ok(heavy.rooms < light.rooms / 10);
  });

  it("f runs from 1/G with every room local to near 1 with large rooms spread over few gateways", () => {
    const { classes } = zipfRooms(1.5);
    const at4 = fractionsAt(classes, 4);
    assert.equal(at4.local, 1 / 4);
    assert.ok(at4.spread > 0.95);
    assert.ok(fractionsAt(classes, 1000).spread < at4.spread);
  });

  it("the crossover spread is clamped to [0, 1] and linear between", () => {
    assert.equal(crossoverSpread(0.1, { local: 0.2, spread: 0.8 }), 0);
    assert.equal(crossoverSpread(0.9, { local: 0.2, spread: 0.8 }), 1);
    assert.ok(Math.abs(crossoverSpread(0.5, { local: 0.2, spread: 0.8 }) - 0.5) < 1e-12);
  });

  it("with the priors: one gateway never wins with redistributors, 1 000 gateways win with every room local", () => {
    for (const s of crossoverSeries(PRIOR_CALIBRATION)) {
      assert.equal(s.points[0]?.gateways, 1);
      assert.equal(s.points[0]?.spread, 0);
      assert.ok((s.points.at(-1)?.spread ?? 0) > 0, `${s.exponent} ${s.forwarding}`);
    }
  });

  it("a redistributed gateway at 1 000 gateways reads a small share of what an everything gateway reads", () => {
    const r = scaleRow(2.5, 1000, 0, PRIOR_CALIBRATION);
    const everything = r.everything.perGateway[0]?.recordsReadPerSec ?? 0;
    assert.ok((r.kafka.perGateway[0]?.recordsReadPerSec ?? Infinity) < everything / 100);
    assert.ok(r.kafka.brokerOutBytesPerSec < r.everything.brokerOutBytesPerSec / 100);
  });
});
