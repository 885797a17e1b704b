import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InterestTable } from "#server/kafka/redistributor/interest-table.js";
import { decodeInterest, encodeInterest, type InterestRecord } from "#server/kafka/routing-records.js";

/** A table on a clock the test moves. */
function table() {
  let now = 1_000_000;
  const t = new InterestTable(() => now);
  return {
    t,
    at: () => now,
    advance: (ms: number) => void (now += ms),
    apply: (rec: InterestRecord) => t.apply(rec, now),
  };
}

describe("InterestTable", () => {
  it("routes a declared room to its gateway while the lease runs, and not after it lapses", () => {
    const { t, apply, advance } = table();
    apply({ type: "lease", gateway: "g1", leaseMs: 1000 });
    apply({ type: "declare", gateway: "g1", room: "r", after: 0 });
    assert.deepEqual(t.gatewaysFor("r"), ["g1"]);
    advance(999);
    assert.deepEqual(t.gatewaysFor("r"), ["g1"]);
    advance(1);
    assert.deepEqual(t.gatewaysFor("r"), [], "a dead gateway's interest expires without a withdraw");
    assert.deepEqual(t.liveGateways(), []);
    assert.deepEqual(t.expired(0), ["g1"]);
  });

  it("a renewed lease keeps the interest; renewal after a lapse brings it back", () => {
    const { t, apply, advance } = table();
    apply({ type: "lease", gateway: "g1", leaseMs: 1000 });
    apply({ type: "declare", gateway: "g1", room: "r", after: 0 });
    advance(800);
    apply({ type: "lease", gateway: "g1", leaseMs: 1000 });
    advance(800);
    assert.deepEqual(t.gatewaysFor("r"), ["g1"]);
    advance(500);
    assert.deepEqual(t.gatewaysFor("r"), []);
    apply({ type: "lease", gateway: "g1", leaseMs: 1000 });
    assert.deepEqual(t.gatewaysFor("r"), ["g1"]);
  });

  it("judges an old lease by when it was written, not when it was read", () => {
    const { t, at } = table();
    t.apply({ type: "lease", gateway: "old", leaseMs: 1000 }, at() - 5000);
    t.apply({ type: "lease", gateway: "new", leaseMs: 1000 }, at() - 500);
    assert.deepEqual(t.liveGateways(), ["new"]);
  });

  it("withdraw removes one gateway's interest; re-declare adds it again", () => {
    const { t, apply } = table();
    apply({ type: "lease", gateway: "g1", leaseMs: 1000 });
    apply({ type: "lease", gateway: "g2", leaseMs: 1000 });
    apply({ type: "declare", gateway: "g1", room: "r", after: 0 });
    apply({ type: "declare", gateway: "g2", room: "r", after: 0 });
    apply({ type: "declare", gateway: "g1", room: "r", after: 7 }); // a second declaration is one interest
    assert.deepEqual(t.gatewaysFor("r").sort(), ["g1", "g2"]);
    apply({ type: "withdraw", gateway: "g1", room: "r" });
    assert.deepEqual(t.gatewaysFor("r"), ["g2"]);
    assert.deepEqual(t.roomsOf("g1"), []);
    apply({ type: "declare", gateway: "g1", room: "r", after: 9 });
    assert.deepEqual(t.gatewaysFor("r").sort(), ["g1", "g2"]);
  });

  it("keeps where a gateway takes direct forwarding, as its latest lease says", () => {
    const { t, apply } = table();
    const direct = { url: "ws://10.0.0.1:4100", token: "t" };
    apply({ type: "lease", gateway: "g1", leaseMs: 1000, direct });
    assert.deepEqual(t.directInbox("g1"), direct);
    apply({ type: "lease", gateway: "g1", leaseMs: 1000 });
    assert.equal(t.directInbox("g1"), undefined, "a lease without one: its forward topic");
  });

  it("a gateway that leaves loses its lease and every interest at once", () => {
    const { t, apply } = table();
    apply({ type: "lease", gateway: "g1", leaseMs: 1000 });
    apply({ type: "declare", gateway: "g1", room: "a", after: 0 });
    apply({ type: "declare", gateway: "g1", room: "b", after: 0 });
    apply({ type: "leave", gateway: "g1" });
    assert.deepEqual([t.gatewaysFor("a"), t.gatewaysFor("b"), t.roomsOf("g1"), t.liveGateways()], [[], [], [], []]);
  });
});

describe("backchannel records", () => {
  it("round-trip through key and value; withdraw and leave are tombstones", () => {
    const records: InterestRecord[] = [
      { type: "lease", gateway: "g1", leaseMs: 10_000 },
      { type: "lease", gateway: "g1", leaseMs: 10_000, direct: { url: "ws://10.0.0.1:4100", token: "t" } },
      { type: "leave", gateway: "g1" },
      { type: "declare", gateway: "g1", room: "room:with:colons", after: 42 },
      { type: "withdraw", gateway: "g1", room: "room:with:colons" },
    ];
    for (const rec of records) {
      const out = encodeInterest("t", rec);
      if (rec.type === "leave" || rec.type === "withdraw") assert.equal(out.value, null);
      assert.deepEqual(decodeInterest(out.key, out.value), rec);
    }
    assert.equal(decodeInterest(Buffer.from("g\u0000r\u0000x"), null), undefined);
    assert.equal(decodeInterest(Buffer.from("g\u0000r"), Buffer.from("not json")), undefined);
  });
});
