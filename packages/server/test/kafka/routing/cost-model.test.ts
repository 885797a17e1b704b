import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PRIOR_CALIBRATION } from "#server/kafka/routing/calibration.js";
import {
  chooseRouting,
  clusterCpuPerGateway,
  predict,
  type Forwarding,
  type Topology,
  type Workload,
} from "#server/kafka/routing/cost-model.js";

const cal = PRIOR_CALIBRATION;
const bytes = 200 + cal.recordOverheadBytes;
/** What the broker sends each connected process with no events (N·base in cluster.md's table). */
const base = cal.brokerOutBytesPerProcessPerSec;

function topology(gateways: number, forwarding: Forwarding = "kafka"): Topology {
  return { gateways, redistributors: 2, forwarding, partitions: 12 };
}

function workload(neededFraction: number, eventsPerSec = 5000): Workload {
  return { eventsPerSec, payloadBytes: 200, neededFraction, deliveredPerSecPerGateway: 1000 };
}

function both(gateways: number, f: number, forwarding: Forwarding) {
  const t = topology(gateways, forwarding);
  return {
    ev: predict({ routing: "everything", topology: t, workload: workload(f) }, cal),
    re: predict({ routing: "redistributed", topology: t, workload: workload(f) }, cal),
  };
}

describe("cost model: f = 1 (every gateway needs every event)", () => {
  for (const forwarding of ["kafka", "direct"] as const)
    for (const gateways of [1, 2, 8, 100])
      it(`redistributed (${forwarding}) costs more than everything on every count, G=${gateways}`, () => {
        const { ev, re } = both(gateways, 1, forwarding);
        for (const [i, g] of re.perGateway.entries()) {
          // A direct stream may cost the gateway less than a fetch; its cost is the redistributor's send.
          if (forwarding === "kafka") assert.ok(g.cpuUsPerSec > (ev.perGateway[i]?.cpuUsPerSec ?? Infinity));
          assert.ok(g.latencyMs.p50 > (ev.perGateway[i]?.latencyMs.p50 ?? Infinity));
        }
        assert.ok(re.redistributorCpuUsPerSec > 0);
        assert.equal(ev.redistributorCpuUsPerSec, 0);
        assert.ok(clusterCpuPerGateway(re) > clusterCpuPerGateway(ev));
        assert.ok(re.latencyMs.p99 > ev.latencyMs.p99);
        const choice = chooseRouting(
          { gateways, eventsPerSec: 5000, payloadBytes: 200, neededEventsPerSec: 5000, forwarding },
          cal,
        );
        assert.equal(choice.routing, "everything", choice.reason);
        assert.ok(choice.predicted.redistributed.cpuUsPerSec > choice.predicted.everything.cpuUsPerSec);
      });

  it("every gateway reads the whole topic with everything, its forwards with redistributed over Kafka", () => {
    const { ev, re } = both(4, 1, "kafka");
    for (const g of [...ev.perGateway, ...re.perGateway]) {
      assert.equal(g.recordsReadPerSec, 5000);
      assert.equal(g.bytesReadPerSec, 5000 * bytes);
      assert.equal(g.forwardedRecordsPerSec, 0);
    }
    // Everything: four gateways and the sink read the topic; redistributed: the group once, the sink, the forwards.
    // Baselines: 4 gateways, the sequencer and the sink; redistributed adds its 2 redistributors.
    assert.equal(ev.brokerOutBytesPerSec, 5 * 5000 * bytes + 6 * base);
    assert.equal(re.brokerOutBytesPerSec, 2 * 5000 * bytes + 4 * 5000 * bytes + 8 * base);
  });
});

describe("cost model: G = 1", () => {
  it("one gateway keeps everything: the redistributor only adds a hop and its own CPU", () => {
    for (const forwarding of ["kafka", "direct"] as const) {
      const { ev, re } = both(1, 1, forwarding);
      assert.equal(ev.perGateway.length, 1);
      assert.equal(ev.brokerOutBytesPerSec, 2 * 5000 * bytes + 3 * base, "the gateway and the sink, 3 baselines");
      assert.ok(clusterCpuPerGateway(re) > clusterCpuPerGateway(ev));
      const view = { gateways: 1, eventsPerSec: 5000, payloadBytes: 200, neededEventsPerSec: 5000, forwarding };
      assert.equal(chooseRouting(view, cal).routing, "everything");
    }
  });
});

describe("cost model: f → 0 (a gateway needs almost none of the events)", () => {
  it("a redistributed gateway reads nothing and the broker's outbound grows with G by the baseline only", () => {
    const small = both(8, 0, "kafka");
    const big = both(800, 0, "kafka");
    for (const g of small.re.perGateway) {
      assert.equal(g.recordsReadPerSec, 0);
      assert.equal(g.cpuUsPerSec, cal.gatewayIdleUsPerSec + 1000 * cal.gatewayDeliverUs);
    }
    assert.equal(big.re.brokerOutBytesPerSec - small.re.brokerOutBytesPerSec, 792 * base);
    assert.equal(big.ev.brokerOutBytesPerSec, 801 * 5000 * bytes + 802 * base);
    assert.ok(big.ev.brokerOutBytesPerSec > 80 * small.ev.brokerOutBytesPerSec);
  });

  for (const forwarding of ["kafka", "direct"] as const)
    it(`chooses redistributed (${forwarding}) from 2 gateways on`, () => {
      for (const gateways of [2, 8, 1000]) {
        const view = { gateways, eventsPerSec: 5000, payloadBytes: 200, neededEventsPerSec: 1e-3, forwarding };
        const choice = chooseRouting(view, cal);
        assert.equal(choice.routing, "redistributed", choice.reason);
        assert.match(choice.reason, /saves/);
      }
    });

  it("costs fall linearly with f: the crossover lies strictly between 0 and 1", () => {
    const cost = (f: number) => {
      const { ev, re } = both(8, f, "kafka");
      return clusterCpuPerGateway(re) - clusterCpuPerGateway(ev);
    };
    assert.ok(cost(0) < 0 && cost(1) > 0);
    assert.ok(Math.abs(cost(0.5) - (cost(0) + cost(1)) / 2) < 1e-6);
  });
});

describe("cost model: saturation and the latency budget", () => {
  it("a gateway reading everything past its core is saturated and loses to redistributed on latency", () => {
    const view = { gateways: 50, eventsPerSec: 200_000, payloadBytes: 200, neededEventsPerSec: 10_000 };
    const t = topology(50);
    assert.ok(predict({ routing: "everything", topology: t, workload: workload(0.05, 200_000) }, cal).saturated);
    const choice = chooseRouting({ ...view, forwarding: "kafka" }, cal);
    assert.equal(choice.routing, "redistributed");
    assert.match(choice.reason, /only redistributed keeps up \(everything saturates a process\)/);
    assert.ok(choice.predicted.everything.saturated);
    assert.ok(choice.predicted.everything.latencyP99Ms > cal.choice.latencyBudgetP99Ms);
  });

  it("a saturated routing loses even when its fitted latency does not stretch (gateway segments of 0 ms)", () => {
    // A fit may put all the latency in the append (which no gateway runs), so saturation leaves p99 unchanged.
    const flat = { p50: 0, p99: 0 };
    const latency = { ...cal.latency, fetch: flat, deliver: flat, append: { p50: 10, p99: 100 } };
    const fitted = { ...cal, latency };
    const view = { gateways: 50, eventsPerSec: 200_000, payloadBytes: 200, neededEventsPerSec: 10_000 };
    const choice = chooseRouting({ ...view, forwarding: "direct" }, fitted);
    assert.ok(choice.predicted.everything.saturated);
    assert.ok(choice.predicted.everything.latencyP99Ms <= fitted.choice.latencyBudgetP99Ms, "p99 alone would pass");
    assert.equal(choice.routing, "redistributed");
  });

  it("both saturated: the routing that needs less CPU per gateway", () => {
    const view = { gateways: 2, eventsPerSec: 2_000_000, payloadBytes: 200, neededEventsPerSec: 2_000_000 };
    const choice = chooseRouting({ ...view, forwarding: "direct" }, cal);
    assert.ok(choice.predicted.everything.saturated && choice.predicted.redistributed.saturated);
    const cheaper =
      choice.predicted.redistributed.cpuUsPerSec < choice.predicted.everything.cpuUsPerSec
        ? "redistributed"
        : "everything";
    assert.equal(choice.routing, cheaper);
    assert.match(choice.reason, /both saturate a process/);
  });

  it("a busier process stretches its own latency segments", () => {
    const quiet = predict({ routing: "everything", topology: topology(2), workload: workload(1, 1000) }, cal);
    const busy = predict({ routing: "everything", topology: topology(2), workload: workload(1, 50_000) }, cal);
    assert.ok(busy.latencyMs.p50 > quiet.latencyMs.p50);
    assert.ok(busy.latencyMs.p99 - busy.latencyMs.p50 > quiet.latencyMs.p99 - quiet.latencyMs.p50);
  });
});

describe("cost model: the broker", () => {
  it("pays its idle CPU under both routings and a baseline of bytes per connected process", () => {
    const { ev, re } = both(4, 0, "direct");
    const quiet = { ...cal, brokerIdleUsPerSec: 0, brokerOutBytesPerProcessPerSec: 0 };
    const t = topology(4, "direct");
    const evQuiet = predict({ routing: "everything", topology: t, workload: workload(0) }, quiet);
    assert.equal(evQuiet.brokerOutBytesPerSec, ev.brokerOutBytesPerSec - 6 * base);
    const extraCpu = cal.brokerIdleUsPerSec + 6 * base * cal.brokerOutUsPerByte;
    assert.ok(Math.abs(ev.brokerCpuUsPerSec - evQuiet.brokerCpuUsPerSec - extraCpu) < 1e-6);
    assert.equal(re.brokerOutBytesPerSec, 2 * 5000 * bytes + 8 * base, "direct forwards cost the broker nothing");
  });
});

describe("cost model: inputs", () => {
  it("takes f per gateway and refuses a list of the wrong length", () => {
    const t = topology(2, "direct");
    // With the priors, like `bytes`: the product's calibration is whatever the last routing bench fitted.
    const p = predict(
      { routing: "redistributed", topology: t, workload: { ...workload(0), neededFraction: [1, 0.25] } },
      cal,
    );
    assert.equal(p.perGateway[0]?.forwardedRecordsPerSec, 5000);
    assert.equal(p.perGateway[1]?.forwardedRecordsPerSec, 1250);
    assert.equal(p.perGateway[1]?.forwardedBytesPerSec, 1250 * bytes);
    assert.equal(p.perGateway[1]?.recordsReadPerSec, 0, "direct forwards are not read from Kafka");
    assert.throws(() =>
      predict({ routing: "everything", topology: t, workload: { ...workload(0), neededFraction: [1] } }),
    );
  });

  it("no traffic: everything, nothing to save", () => {
    const view = {
      gateways: 4,
      eventsPerSec: 0,
      payloadBytes: 200,
      neededEventsPerSec: 0,
      forwarding: "kafka" as const,
    };
    assert.equal(chooseRouting(view, cal).routing, "everything");
  });
});
