import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SmallMap } from "#server/gateway/small-map.js";

type Op = { op: "set"; k: number; v: number } | { op: "delete"; k: number } | { op: "clear" };

const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant("set" as const), k: fc.integer({ min: 0, max: 3 }), v: fc.integer() }),
    fc.record({ op: fc.constant("delete" as const), k: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ op: fc.constant("clear" as const) }),
  ),
  { maxLength: 30 },
);

describe("SmallMap", () => {
  it("answers like a Map after any sequence of set, delete and clear (property)", () => {
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        const small = new SmallMap<number, number>();
        const map = new Map<number, number>();
        for (const o of list) {
          if (o.op === "set") {
            small.set(o.k, o.v);
            map.set(o.k, o.v);
          } else if (o.op === "delete") assert.equal(small.delete(o.k), map.delete(o.k));
          else {
            small.clear();
            map.clear();
          }
          assert.equal(small.size, map.size);
          for (let k = 0; k <= 3; k++) {
            assert.equal(small.has(k), map.has(k));
            assert.equal(small.get(k), map.get(k));
          }
          assert.deepEqual([...small.values()], [...map.values()], "same values in insertion order");
        }
      }),
    );
  });
});
