/**
 * `--routing auto`'s decision (docs/cluster.md, "Routing: auto"): the hysteresis, the live figures, the
 * inputs → choice with the test calibration the cluster test uses, and the evaluation loop over fakes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AutoRouting, type EventsEnd, type RoutingEvaluation } from "#server/kafka/log/auto-routing.js";
import type { FeedRouting, FeedSwitch } from "#server/kafka/log/feed-switch.js";
import { PRIOR_CALIBRATION } from "#server/kafka/routing/calibration.js";
import { calibrationOverride } from "#server/kafka/routing/calibration-override.js";
import { chooseRouting, type GatewayView } from "#server/kafka/routing/cost-model.js";
import { Hysteresis } from "#server/kafka/routing/hysteresis.js";
import { LiveFigures } from "#server/kafka/routing/live-figures.js";
import { AUTO_TEST_CALIBRATION } from "../../support/routing-calibration.js";

describe("Hysteresis", () => {
  it("switches only after the other routing was chosen N times in a row", () => {
    const h = new Hysteresis(3);
    assert.equal(h.next("everything", "redistributed"), undefined);
    assert.equal(h.next("everything", "redistributed"), undefined);
    assert.equal(h.held, 2);
    assert.equal(h.next("everything", "redistributed"), "redistributed");
    assert.equal(h.held, 0);
  });

  it("one evaluation agreeing with the routing in force starts the count again", () => {
    const h = new Hysteresis(2);
    assert.equal(h.next("everything", "redistributed"), undefined);
    assert.equal(h.next("everything", "everything"), undefined);
    assert.equal(h.next("everything", "redistributed"), undefined);
    assert.equal(h.next("everything", "redistributed"), "redistributed");
  });

  it("N = 1 switches at once; N < 1 is refused", () => {
    assert.equal(new Hysteresis(1).next("redistributed", "everything"), "everything");
    assert.throws(() => new Hysteresis(0));
  });
});

describe("LiveFigures", () => {
  const sample = (now: number, endOffsets: bigint | undefined, tailSince: number) => ({
    now,
    endOffsets,
    tailSince,
    gateways: 3,
    forwarding: "kafka" as const,
  });

  it("no view before an interval; with a tail through the interval, its records are the events/s", () => {
    const f = new LiveFigures();
    assert.equal(f.view(sample(1000, 100n, 500)), undefined);
    f.tailRead(200, 200 * 150);
    for (let i = 0; i < 50; i++) f.neededEvent();
    const v = f.view(sample(3000, 500n, 500));
    assert.deepEqual(v, {
      gateways: 3,
      eventsPerSec: 100,
      payloadBytes: 150,
      neededEventsPerSec: 25,
      forwarding: "kafka",
    });
  });

  it("without a tail, the end offsets' growth times the records per offset the tail last measured", () => {
    const f = new LiveFigures();
    f.view(sample(10, 0n, 1));
    f.tailRead(80, 8000); // 100 offsets held 80 records (20 transaction markers)
    f.view(sample(1010, 100n, 1));
    f.read(10, 1000);
    const v = f.view(sample(2010, 300n, 0)); // redistributed now: 200 offsets → 160 records
    assert.equal(v?.eventsPerSec, 160);
    assert.equal(v?.payloadBytes, 100);
  });

  it("no view when neither a tail nor the end offsets tell the events/s", () => {
    const f = new LiveFigures();
    f.view(sample(0, undefined, 0));
    assert.equal(f.view(sample(1000, undefined, 0)), undefined);
    f.tailRead(10, 1000);
    const v = f.view(sample(2000, 50n, 1500));
    assert.equal(v, undefined); // the tail did not cover the interval, and there is no earlier offset
    f.tailRead(10, 1000);
    assert.equal(f.view(sample(3000, 70n, 1500))?.payloadBytes, 100);
  });
});

/** The cluster test's calibration (test/cluster/auto-routing.test.ts). */
const TEST_CALIBRATION = calibrationOverride(AUTO_TEST_CALIBRATION, PRIOR_CALIBRATION);

const view = (needed: number, events = 30, gateways = 2): GatewayView => ({
  gateways,
  eventsPerSec: events,
  payloadBytes: 170,
  neededEventsPerSec: needed,
  forwarding: "kafka",
});

describe("inputs → choice", () => {
  it("with the test calibration: f ≈ 1 keeps everything, f ≈ 1/4 picks redistributed, and the reason says why", () => {
    const all = chooseRouting(view(30), TEST_CALIBRATION);
    assert.equal(all.routing, "everything");
    assert.match(all.reason, /would not save 10 %.*needs 100.0 % of 30 events\/s over 2 gateways/);
    const quarter = chooseRouting(view(7.5), TEST_CALIBRATION);
    assert.equal(quarter.routing, "redistributed");
    assert.ok(quarter.predicted.redistributed.cpuUsPerSec < 0.9 * quarter.predicted.everything.cpuUsPerSec);
  });

  it("with the priors, a small load keeps everything whatever f (the redistributors' idle cost dominates)", () => {
    for (const needed of [0, 7.5, 30])
      assert.equal(chooseRouting(view(needed), PRIOR_CALIBRATION).routing, "everything");
  });

  it("the override lays fields over the calibration and refuses unknown or mistyped ones", () => {
    assert.equal(TEST_CALIBRATION.gatewayReadUs, 2000);
    assert.equal(TEST_CALIBRATION.choice.switchMargin, PRIOR_CALIBRATION.choice.switchMargin);
    assert.equal(TEST_CALIBRATION.latency.append.p50, PRIOR_CALIBRATION.latency.append.p50);
    assert.equal(calibrationOverride(undefined, PRIOR_CALIBRATION), PRIOR_CALIBRATION);
    assert.throws(() => calibrationOverride('{"gatewayReadMs":1}'), /gatewayReadMs/);
    assert.throws(() => calibrationOverride('{"gatewayReadUs":"1"}'), /gatewayReadUs/);
  });
});

describe("AutoRouting (the loop, over a fake switch)", () => {
  /** A switch whose handovers the test completes, and figures the test sets per evaluation. */
  function loop(hysteresis: number) {
    const feeds = {
      current: "everything" as FeedRouting,
      busy: false,
      tailStartedAt: 1,
      asked: [] as FeedRouting[],
      switchTo(to: FeedRouting) {
        this.asked.push(to);
        this.current = to;
        return Promise.resolve(true);
      },
    };
    let offsets = 0n;
    const end = { total: () => Promise.resolve((offsets += 100n)), close: () => Promise.resolve() };
    const figures = new LiveFigures();
    const evaluations: RoutingEvaluation[] = [];
    const switched: string[] = [];
    const auto = new AutoRouting(
      {
        hysteresis,
        gateways: () => 2,
        calibration: TEST_CALIBRATION,
        onEvaluation: (e) => evaluations.push(e),
        onSwitch: (s) => switched.push(`${s.from}→${s.to}:${s.done}`),
      },
      figures,
      feeds as unknown as FeedSwitch,
      end as unknown as EventsEnd,
    );
    /** One interval: 30 events read by the tail, `needed` of them in rooms held here. */
    const step = async (needed: number) => {
      figures.tailRead(30, 30 * 170);
      for (let i = 0; i < needed; i++) figures.neededEvent();
      await new Promise((r) => setTimeout(r, 2)); // a non-empty interval
      await auto.evaluate();
      await new Promise((r) => setImmediate(r));
    };
    return { auto, feeds, evaluations, switched, step };
  }

  it("switches after N agreeing evaluations, tells every evaluation and the handover, and switches back the same way", async () => {
    const { auto, feeds, evaluations, switched, step } = loop(2);
    await auto.evaluate(); // the first reading starts the first interval: no evaluation yet
    assert.equal(evaluations.length, 0);
    await step(8); // f ≈ 1/4
    assert.deepEqual(feeds.asked, []);
    assert.equal(evaluations[0]?.choice.routing, "redistributed");
    assert.equal(evaluations[0]?.held, 1);
    await step(8);
    assert.deepEqual(feeds.asked, ["redistributed"]);
    assert.equal(evaluations[1]?.switchTo, "redistributed");
    assert.deepEqual(switched, ["everything→redistributed:true"]);
    await step(30); // f = 1, once: not yet
    await step(8); // back to 1/4: the count starts again
    await step(30);
    await step(30);
    assert.deepEqual(feeds.asked, ["redistributed", "everything"]);
    assert.equal(evaluations.length, 6);
  });

  it("while a handover runs, evaluations are told but start none", async () => {
    const { auto, feeds, evaluations, step } = loop(1);
    await auto.evaluate();
    feeds.busy = true;
    await step(0);
    await step(0);
    assert.deepEqual(feeds.asked, []);
    assert.equal(evaluations.length, 2);
    feeds.busy = false;
    await step(0);
    assert.deepEqual(feeds.asked, ["redistributed"]);
  });
});
